/**
 * Security matrices for admin, driven by openapi.json (packages/testing/src/matrix.ts): tenant isolation
 * (every tenant-scoped operation × a wrong tenant via header, JWT claim, API key and URL → 403), RBAC
 * (viewer/operator/admin × every operation), JWT attacks, constant-time key comparison, secrets kept out of
 * logs, and SQL-looking strings stored verbatim.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthConfigError } from '@recsys/platform/auth';
import { createLogger } from '@recsys/platform/logger';
import { migrateToLatest } from '@recsys/platform/db';
import {
  captureLogs,
  createTestRedis,
  createTestSchema,
  formatMatrix,
  loadOpenApi,
  runRbacMatrix,
  runTenancyMatrix,
  serve,
  SQL_STRINGS,
  startJwks,
  tenantFacingOperations,
  type CapturedLogs,
  type OperationInfo,
  type Role,
  type TestJwks,
  type TestRedis,
  type TestSchema,
} from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

const SERVICE_TOKEN = 'test-service-token-0123456789';
const HASH_SECRET = 'test-hash-secret-0123456789abcdef';
const NO_KEY = '00000000-0000-4000-8000-000000000001';

/** Least role per admin operation; anything not listed: GET → viewer, /keys → admin, other writes → operator. */
const CROSS_TENANT = new Set([
  'POST /v1/admin/tenants',
  'GET /v1/admin/tenants',
  'POST /v1/admin/tenants/{tenant_id}/disable',
  'POST /v1/admin/tenants/{tenant_id}/enable',
]);
function requiredRole(op: OperationInfo): Role | 'cross-tenant' {
  if (CROSS_TENANT.has(op.key)) return 'cross-tenant';
  if (op.path.includes('/keys')) return 'admin';
  return op.method === 'GET' ? 'viewer' : 'operator';
}

describe('admin tenancy, RBAC and credential handling', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let http: Awaited<ReturnType<typeof serve>>;
  let jwks: TestJwks;
  let logs: CapturedLogs;
  const keys: Record<string, string> = {};
  const document = loadOpenApi('admin');

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const res = await fetch(http.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const service = { 'x-service-token': SERVICE_TOKEN };

  beforeAll(async () => {
    jwks = await startJwks({ audience: 'recsys-admin' });
    schema = await createTestSchema('admin');
    redis = await createTestRedis();
    const config = loadConfig({
      DATABASE_URL: schema.url,
      ADMIN_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN,
      API_KEY_HASH_SECRET: HASH_SECRET,
      ...jwks.env,
    });
    logs = captureLogs();
    deps = createDeps(config, createLogger('admin', 'trace', logs.stream));
    await migrateToLatest(deps.db, schema.schema, migrations);
    http = await serve(createApp(deps));
    for (const tenant of ['acme', 'evil']) {
      expect(
        (await call('POST', '/v1/admin/tenants', service, { external_id: tenant, display_name: tenant }))
          .status,
      ).toBe(201);
    }
    for (const [name, tenant, roles] of [
      ['acme:viewer', 'acme', ['viewer']],
      ['acme:operator', 'acme', ['operator']],
      ['acme:admin', 'acme', ['admin']],
      ['evil:admin', 'evil', ['admin']],
    ] as const) {
      const res = await call('POST', `/v1/admin/tenants/${tenant}/keys`, service, { name, roles });
      expect(res.status).toBe(201);
      keys[name] = res.body.api_key;
    }
  });

  afterAll(async () => {
    await http.close();
    for (const closer of deps.closers) await closer.close();
    await redis.cleanup();
    await schema.drop();
    await jwks.close();
  });

  const scoped = () =>
    tenantFacingOperations(document).filter(
      (op) => op.path.includes('{tenant_id}') && !CROSS_TENANT.has(op.key),
    );
  const params = (tenant: string) => ({ tenant_id: tenant, key_id: NO_KEY });

  it('when a tenant-scoped operation names a wrong tenant via header, JWT claim, API key or URL, then 403 — and the own tenant is not refused', async () => {
    const evilJwt = await jwks.sign({ tenant_id: 'evil', roles: ['admin'] });
    const ops = scoped();
    expect(ops.length).toBeGreaterThan(10);
    const result = await runTenancyMatrix({
      baseUrl: http.url,
      document,
      operations: ops,
      attacks: [
        {
          name: 'header',
          build: () => ({
            headers: { 'x-api-key': keys['acme:admin']!, 'x-org-id': 'evil' },
            pathParams: params('acme'),
          }),
        },
        {
          name: 'jwt claim',
          build: () => ({ headers: { authorization: `Bearer ${evilJwt}` }, pathParams: params('acme') }),
        },
        {
          name: 'api key',
          build: () => ({ headers: { 'x-api-key': keys['evil:admin']! }, pathParams: params('acme') }),
        },
        {
          name: 'url',
          build: () => ({ headers: { 'x-api-key': keys['acme:admin']! }, pathParams: params('evil') }),
        },
      ],
      control: {
        name: 'own tenant',
        build: () => ({ headers: { 'x-api-key': keys['acme:admin']! }, pathParams: params('acme') }),
      },
    });
    if (result.failures.length) process.stdout.write(`${formatMatrix(result)}\n`);
    expect(result.failures).toEqual([]);
    expect(result.cells.filter((c) => c.status === 403).length).toBe(ops.length * 4);
  });

  it('when viewer, operator and admin keys call every operation, then roles below the requirement get 403 RECSYS_FORBIDDEN and the others are not refused', async () => {
    const ops = tenantFacingOperations(document);
    const result = await runRbacMatrix({
      baseUrl: http.url,
      document,
      operations: ops,
      required: requiredRole,
      as: (role) => ({ headers: { 'x-api-key': keys[`acme:${role}`]! }, pathParams: params('acme') }),
    });
    if (result.failures.length) process.stdout.write(`${formatMatrix(result)}\n`);
    expect(result.failures).toEqual([]);
    expect(result.cells.length).toBe(ops.length * 3);
  });

  it('when a JWT uses alg confusion (HS256 with the public key), alg none, is expired, has the wrong audience or a foreign key, then 401 RECSYS_AUTH_INVALID; a valid one is accepted', async () => {
    const claims = { tenant_id: 'acme', roles: ['admin'] };
    const path = '/v1/admin/tenants/acme/keys';
    const bad = {
      algConfusion: await jwks.signAlgConfusion(claims),
      none: jwks.unsigned(claims),
      expired: await jwks.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }),
      wrongAudience: await jwks.sign(claims, { audience: 'someone-else' }),
      wrongIssuer: await jwks.sign(claims, { issuer: 'https://evil.example' }),
      foreignKey: await jwks.signWithForeignKey(claims),
    };
    for (const [name, token] of Object.entries(bad)) {
      const res = await call('GET', path, { authorization: `Bearer ${token}` });
      expect({ name, status: res.status, code: res.body?.code }).toEqual({
        name,
        status: 401,
        code: 'RECSYS_AUTH_INVALID',
      });
    }
    const ok = await call('GET', path, { authorization: `Bearer ${await jwks.sign(claims)}` });
    expect(ok.status).toBe(200);
  });

  it('when the JWKS URL host is not in AUTH_JWKS_ALLOWED_HOSTS (or is plain http without opt-in), then admin refuses to start', () => {
    const base = {
      DATABASE_URL: schema.url,
      ADMIN_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      SERVICE_TOKEN,
      ...jwks.env,
    };
    expect(() =>
      createDeps(
        loadConfig({ ...base, AUTH_JWKS_ALLOWED_HOSTS: 'idp.example.com' }),
        createLogger('admin', 'silent'),
      ),
    ).toThrow(AuthConfigError);
    expect(() =>
      createDeps(loadConfig({ ...base, AUTH_ALLOW_INSECURE_JWKS: 'false' }), createLogger('admin', 'silent')),
    ).toThrow(AuthConfigError);
  });

  it('when API keys are verified, then the code looks them up by prefix and compares HMAC digests with timingSafeEqual (static), and a near-miss key goes through that comparison and is refused (behaviour)', async () => {
    const src = (f: string) => readFileSync(join(__dirname, '..', 'src', f), 'utf8');
    const format = src('domain/api-key-format.ts');
    const verify = src('domain/keys.ts');
    expect(format).toMatch(/createHmac\('sha256'/);
    expect(format).toMatch(/timingSafeEqual\(/);
    expect(verify).toMatch(/hashesEqual\(row\.key_hash, hashApiKey\(/);
    expect(verify).not.toMatch(/key_hash\s*===|===\s*row\.key_hash/);

    // The module object the service code calls into (not an import-interop copy).
    const nodeCrypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
    try {
      const real = keys['acme:viewer']!;
      const nearMiss = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
      const refused = await call('GET', '/v1/admin/tenants/acme', { 'x-api-key': nearMiss });
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('RECSYS_AUTH_INVALID');
      expect(spy).toHaveBeenCalled();
      spy.mockClear();
      expect((await call('GET', '/v1/admin/tenants/acme', { 'x-api-key': real })).status).toBe(200);
      expect(spy).toHaveBeenCalled();
      // The service token is compared in constant time too (secretsEqual → timingSafeEqual).
      spy.mockClear();
      expect(
        (await call('GET', '/v1/admin/tenants', { 'x-service-token': `${SERVICE_TOKEN}x` })).status,
      ).toBe(401);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('when SQL-looking strings are written in every string field of a tenant, config and rules, then they are stored and read back verbatim and the tables are intact', async () => {
    const tenant = 'sqlco';
    const display = SQL_STRINGS[1]!;
    expect(
      (await call('POST', '/v1/admin/tenants', service, { external_id: tenant, display_name: display }))
        .status,
    ).toBe(201);
    expect((await call('GET', `/v1/admin/tenants/${tenant}`, service)).body.display_name).toBe(display);
    const flags = Object.fromEntries(SQL_STRINGS.map((s, i) => [s, `${s}#${i}`]));
    const put = await call('PUT', `/v1/admin/tenants/${tenant}/config`, service, {
      weights: { pop: 1 },
      flags,
    });
    expect(put.status).toBe(200);
    const config = await call('GET', `/v1/admin/tenants/${tenant}/config`, service);
    expect(config.status).toBe(200);
    expect(JSON.stringify(config.body)).toContain(JSON.stringify(SQL_STRINGS[1]).slice(1, -1));
    const rules = SQL_STRINGS.map((s, i) => ({
      id: `r${i}`,
      action: 'block',
      target_type: 'item',
      item_ids: [s],
      name: s,
      description: s,
    }));
    const putRules = await call('PUT', `/v1/admin/tenants/${tenant}/rules`, service, rules);
    expect(putRules.status).toBe(200);
    const readRules = JSON.stringify((await call('GET', `/v1/admin/tenants/${tenant}/rules`, service)).body);
    for (const s of SQL_STRINGS) expect(readRules).toContain(JSON.stringify(s).slice(1, -1));
    const key = await call('POST', `/v1/admin/tenants/${tenant}/keys`, service, {
      name: SQL_STRINGS[0],
      roles: ['viewer'],
    });
    expect(key.status).toBe(201);
    expect(key.body.key.name).toBe(SQL_STRINGS[0]);
    const counts = await schema.query(
      'select (select count(*) from tenants)::int t, (select count(*) from api_keys)::int k',
    );
    expect(counts.rows[0].t).toBeGreaterThanOrEqual(3);
    expect(counts.rows[0].k).toBeGreaterThanOrEqual(5);
  });

  it('when keys are created, used, rotated and refused, then no raw key, token, JWT or hash secret appears in the captured logs', async () => {
    const created = await call('POST', '/v1/admin/tenants/acme/keys', service, {
      name: 'log-check',
      roles: ['admin'],
    });
    const secret = created.body.api_key as string;
    expect((await call('GET', '/v1/admin/tenants/acme/keys', { 'x-api-key': secret })).status).toBe(200);
    const rotated = await call(
      'POST',
      `/v1/admin/tenants/acme/keys/${created.body.key.id}/rotate`,
      { 'x-api-key': secret },
      {},
    );
    const rotatedSecret = (rotated.body?.api_key as string | undefined) ?? '';
    const wrongKey = `rk_0123456789ab_${'Z'.repeat(43)}`;
    expect((await call('GET', '/v1/admin/tenants/acme', { 'x-api-key': wrongKey })).status).toBe(401);
    const jwt = await jwks.sign({ tenant_id: 'acme', roles: ['admin'] });
    await call('GET', '/v1/admin/tenants/acme', { authorization: `Bearer ${jwt}` });
    const badJwt = jwks.unsigned({ tenant_id: 'acme' });
    await call('GET', '/v1/admin/tenants/acme', { authorization: `Bearer ${badJwt}` });
    await call('GET', '/v1/admin/tenants', { 'x-service-token': 'wrong-service-token-0123456789' });
    await call('POST', '/internal/v1/keys/verify', service, { api_key: secret });
    await call('POST', '/internal/v1/keys/verify', service, { api_key: wrongKey });
    // A malformed body that carries a secret must not be echoed into logs either.
    await call('POST', '/internal/v1/keys/verify', service, { api_key: secret, extra: true });
    // Admin logs nothing per request; force warning lines on the key paths by cutting Redis (control events
    // then fail to publish and are logged) and rotating/revoking keys authenticated with raw secrets.
    deps.redis.disconnect();
    const actor = rotatedSecret || secret;
    const doomed = await call(
      'POST',
      '/v1/admin/tenants/acme/keys',
      { 'x-api-key': actor },
      { name: 'doomed', roles: ['viewer'] },
    );
    expect(doomed.status).toBe(201);
    await call(
      'POST',
      `/v1/admin/tenants/acme/keys/${doomed.body.key.id}/rotate`,
      { 'x-api-key': actor },
      {},
    );
    await call('POST', `/v1/admin/tenants/acme/keys/${doomed.body.key.id}/revoke`, { 'x-api-key': actor });
    await call('PUT', '/v1/admin/tenants/acme/config', { 'x-api-key': actor }, { weights: { pop: 1 } });
    expect(logs.text()).toMatch(/"level":"(warn|error)"/);
    const secrets = [
      secret,
      rotatedSecret,
      String(doomed.body.api_key),
      ...Object.values(keys),
      wrongKey,
      jwt,
      badJwt,
      SERVICE_TOKEN,
      HASH_SECRET,
    ].filter(Boolean);
    expect(logs.leaks(secrets)).toEqual([]);
  });
});

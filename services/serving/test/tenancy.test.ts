/**
 * Security matrices for serving, driven by openapi.json (packages/testing/src/matrix.ts): tenant isolation
 * (every tenant-facing operation × a wrong tenant via header, JWT claim and API key → 403), RBAC (preview
 * needs operator), JWT attacks at the service, secrets kept out of logs, and path traversal in surface,
 * segment, signal versions and manifest template values rejected. API keys are verified through a
 * stand-in of admin's internal verify endpoint.
 */
import { createLogger } from '@recsys/platform/logger';
import { migrateToLatest } from '@recsys/platform/db';
import {
  captureLogs,
  createTestRedis,
  createTestSchema,
  formatMatrix,
  loadOpenApi,
  PATH_TRAVERSAL_STRINGS,
  runRbacMatrix,
  runTenancyMatrix,
  serve,
  startAdminKeyStub,
  startJwks,
  tenantFacingOperations,
  type AdminKeyStub,
  type CapturedLogs,
  type TestJwks,
  type TestRedis,
  type TestSchema,
} from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';
import { expandTemplate } from '../src/signals/sources.js';

const SERVICE_TOKEN = 'test-service-token-0123456789';
const KEYS = {
  'acme:viewer': 'rk_aaaaaaaaaaa1_acme-viewer-secret-0123456789abcdefghijkl',
  'acme:operator': 'rk_aaaaaaaaaaa2_acme-operator-secret-0123456789abcdefghij',
  'acme:admin': 'rk_aaaaaaaaaaa3_acme-admin-secret-0123456789abcdefghijklm',
  'evil:admin': 'rk_eeeeeeeeeee1_evil-admin-secret-0123456789abcdefghijklm',
} as const;

describe('serving tenancy, RBAC and input safety', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let http: Awaited<ReturnType<typeof serve>>;
  let jwks: TestJwks;
  let admin: AdminKeyStub;
  let logs: CapturedLogs;
  const document = loadOpenApi('serving');
  const service = { 'x-service-token': SERVICE_TOKEN };

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const res = await fetch(http.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  };

  async function publish(tenant: string, version: string, activate: boolean) {
    const base = `/internal/v1/signals/${tenant}/home/default/versions/${version}`;
    const env = {
      v: 1,
      tenant,
      surface: 'home',
      segment: 'default',
      window: { start: '2026-01-01T00:00:00Z', end: '2026-01-31T00:00:00Z' },
      build: { built_at: '2026-01-31T00:00:00Z', version: 'sec', source_hash: 'x', params: {} },
      counts: {},
    };
    const put = await call('PUT', base, service, {
      manifest: {
        v: 1,
        tenant,
        surface: 'home',
        segment: 'default',
        version,
        current: {},
        artifacts: {},
        updated_at: new Date().toISOString(),
        previous_version: null,
      },
      artifacts: {
        popularity: {
          ...env,
          artifact_type: 'popularity',
          items: [{ item_id: `${tenant}-${version}`, score: 1, count: 1 }],
        },
      },
    });
    expect(put.status).toBe(201);
    if (activate) expect((await call('POST', `${base}/activate`, service)).status).toBe(200);
  }

  beforeAll(async () => {
    jwks = await startJwks({ audience: 'recsys-serving' });
    admin = await startAdminKeyStub(SERVICE_TOKEN);
    for (const [name, key] of Object.entries(KEYS)) {
      const [tenant, role] = name.split(':') as [string, string];
      admin.keys.set(key, { key_id: `key-${name}`, tenant_id: tenant, roles: [role] });
    }
    schema = await createTestSchema('serving');
    redis = await createTestRedis();
    const config = loadConfig({
      DATABASE_URL: schema.url,
      SERVING_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN,
      ADMIN_URL: admin.url,
      TENANT_RATE_LIMIT_ENABLED: 'false',
      ...jwks.env,
    });
    logs = captureLogs();
    deps = createDeps(config, createLogger('serving', 'trace', logs.stream));
    await migrateToLatest(deps.db, schema.schema, migrations);
    await deps.start();
    http = await serve(createApp(deps));
    await publish('acme', 'v1', true);
    await publish('acme', 'v2', false);
    await publish('evil', 'v1', true);
  });

  afterAll(async () => {
    await http.close();
    for (const closer of deps.closers) await closer.close();
    await redis.cleanup();
    await schema.drop();
    await jwks.close();
    await admin.close();
  });

  const body = () => ({ surface: 'home', item_id: 'acme-v1', user: { user_id: 'u1' }, k: 5 });

  it('when a tenant-facing operation names a wrong tenant via header, JWT claim or API key, then 403 — and the own tenant is not refused', async () => {
    const evilJwt = await jwks.sign({ tenant_id: 'evil', roles: ['admin'] });
    const ops = tenantFacingOperations(document);
    expect(ops.length).toBeGreaterThanOrEqual(3);
    const result = await runTenancyMatrix({
      baseUrl: http.url,
      document,
      operations: ops,
      body: (op) =>
        op.path === '/v1/similar'
          ? { surface: 'home', item_id: 'acme-v1' }
          : { surface: 'home', user: { user_id: 'u1' } },
      attacks: [
        {
          name: 'header',
          build: () => ({ headers: { 'x-api-key': KEYS['acme:admin'], 'x-org-id': 'evil' }, pathParams: {} }),
        },
        {
          name: 'jwt claim',
          build: () => ({
            headers: { authorization: `Bearer ${evilJwt}`, 'x-org-id': 'acme' },
            pathParams: {},
          }),
        },
        {
          name: 'api key',
          build: () => ({ headers: { 'x-api-key': KEYS['evil:admin'], 'x-org-id': 'acme' }, pathParams: {} }),
        },
      ],
      control: {
        name: 'own tenant',
        build: () => ({ headers: { 'x-api-key': KEYS['acme:admin'] }, pathParams: {} }),
      },
    });
    if (result.failures.length) process.stdout.write(`${formatMatrix(result)}\n`);
    expect(result.failures).toEqual([]);
    expect(result.cells.filter((c) => c.status === 403).length).toBe(ops.length * 3);
    // An evil key never sees acme's signals: its own recommend returns only its own items.
    const own = await call(
      'POST',
      '/v1/recommend',
      { 'x-api-key': KEYS['evil:admin'] },
      { surface: 'home', user: { user_id: 'u1' } },
    );
    expect(own.status).toBe(200);
    expect(own.body.items.map((i: { item_id: string }) => i.item_id)).toEqual(['evil-v1']);
  });

  it('when viewer, operator and admin keys call every operation, then all may rank, and previewing a staged version needs operator (viewer → 403 RECSYS_FORBIDDEN)', async () => {
    const ops = tenantFacingOperations(document);
    const result = await runRbacMatrix({
      baseUrl: http.url,
      document,
      operations: ops,
      required: () => 'viewer',
      body: (op) =>
        op.path === '/v1/similar'
          ? { surface: 'home', item_id: 'acme-v1' }
          : { surface: 'home', user: { user_id: 'u1' } },
      as: (role) => ({ headers: { 'x-api-key': KEYS[`acme:${role}`] }, pathParams: {} }),
    });
    if (result.failures.length) process.stdout.write(`${formatMatrix(result)}\n`);
    expect(result.failures).toEqual([]);
    const preview = (role: 'viewer' | 'operator' | 'admin') =>
      call(
        'POST',
        '/v1/recommend',
        { 'x-api-key': KEYS[`acme:${role}`], 'x-recsys-signal-version': 'v2' },
        { surface: 'home', user: { user_id: 'u1' } },
      );
    const viewer = await preview('viewer');
    expect([viewer.status, viewer.body.code]).toEqual([403, 'RECSYS_FORBIDDEN']);
    for (const role of ['operator', 'admin'] as const) {
      const res = await preview(role);
      expect(res.status).toBe(200);
      expect(res.body.meta.signal_version).toBe('v2');
    }
  });

  it('when a JWT uses alg confusion, alg none, is expired, has the wrong audience or a foreign key, then 401 RECSYS_AUTH_INVALID; a valid one is accepted', async () => {
    const claims = { tenant_id: 'acme', roles: ['viewer'] };
    const bad = {
      algConfusion: await jwks.signAlgConfusion(claims),
      none: jwks.unsigned(claims),
      expired: await jwks.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }),
      wrongAudience: await jwks.sign(claims, { audience: 'recsys-admin' }),
      foreignKey: await jwks.signWithForeignKey(claims),
    };
    for (const [name, token] of Object.entries(bad)) {
      const res = await call('POST', '/v1/recommend', { authorization: `Bearer ${token}` }, body());
      expect({ name, status: res.status, code: res.body?.code }).toEqual({
        name,
        status: 401,
        code: 'RECSYS_AUTH_INVALID',
      });
    }
    const ok = await call(
      'POST',
      '/v1/recommend',
      { authorization: `Bearer ${await jwks.sign(claims)}` },
      { surface: 'home', user: { user_id: 'u1' } },
    );
    expect(ok.status).toBe(200);
  });

  it('when surface, segment, signal version or a manifest template value carries path traversal, then it is rejected (4xx, never ranked or loaded)', async () => {
    const headers = { 'x-api-key': KEYS['acme:operator'] };
    let bodyChecks = 0;
    for (const bad of PATH_TRAVERSAL_STRINGS) {
      // Percent-encoded forms are plain characters inside a JSON field; they are checked where they would be
      // decoded (URL paths, manifest template values) below.
      if (/^\.{1,2}$/.test(bad) || /[/\\]/.test(bad) || bad.includes(String.fromCharCode(0))) {
        bodyChecks++;
        const surface = await call('POST', '/v1/recommend', headers, {
          surface: bad,
          user: { user_id: 'u1' },
        });
        expect({ bad, field: 'surface', status: surface.status }).toEqual({
          bad,
          field: 'surface',
          status: 400,
        });
        const segment = await call('POST', '/v1/recommend', headers, {
          surface: 'home',
          segment: bad,
          user: { user_id: 'u1' },
        });
        expect({ bad, field: 'segment', status: segment.status }).toEqual({
          bad,
          field: 'segment',
          status: 400,
        });
        const similar = await call('POST', '/v1/similar', headers, { surface: bad, item_id: 'x' });
        expect({ bad, field: 'similar.surface', status: similar.status }).toEqual({
          bad,
          field: 'similar.surface',
          status: 400,
        });
      }
      if (/^[\x20-\x7e]*$/.test(bad)) {
        const preview = await call(
          'POST',
          '/v1/recommend',
          { ...headers, 'x-recsys-signal-version': bad },
          { surface: 'home', user: { user_id: 'u1' } },
        );
        expect({ bad, field: 'version header', ok: preview.status >= 400 && preview.status < 500 }).toEqual({
          bad,
          field: 'version header',
          ok: true,
        });
      }
      for (const name of ['surface', 'segment', 'version'] as const) {
        const path = `/internal/v1/signals/acme/${name === 'surface' ? encodeURIComponent(bad) : 'home'}/${name === 'segment' ? encodeURIComponent(bad) : 'default'}/versions/${name === 'version' ? encodeURIComponent(bad) : 'v9'}`;
        const res = await call('PUT', path, service, { manifest: {}, artifacts: {} });
        expect({ bad, name, ok: res.status >= 400 && res.status < 500 }).toEqual({ bad, name, ok: true });
      }
      for (const name of ['tenant', 'surface', 'segment', 'version'] as const) {
        const values = { tenant: 'acme', surface: 'home', segment: 'default', version: 'v1', [name]: bad };
        expect(() =>
          expandTemplate(
            's3://recsys-artifacts/registry/current/{tenant}/{surface}/{segment}/{version}/manifest.json',
            values,
          ),
        ).toThrow(/invalid path segment/);
      }
    }
    expect(bodyChecks).toBeGreaterThanOrEqual(8);
  });

  it('when keys and tokens are used and refused, then no raw key, token or JWT appears in the captured logs', async () => {
    const jwt = await jwks.sign({ tenant_id: 'acme', roles: ['viewer'] });
    const wrongKey = 'rk_0123456789ab_wrong-secret-0123456789abcdefghijklmnopq';
    await call('POST', '/v1/recommend', { 'x-api-key': KEYS['acme:viewer'] }, body());
    await call('POST', '/v1/recommend', { 'x-api-key': wrongKey }, body());
    await call('POST', '/v1/recommend', { authorization: `Bearer ${jwt}` }, body());
    await call('POST', '/v1/recommend', { authorization: `Bearer ${jwt}x` }, body());
    await call(
      'POST',
      '/v1/recommend',
      { 'x-service-token': 'wrong-service-token-0123456789', 'x-org-id': 'acme' },
      body(),
    );
    // Force warning/error lines on authenticated requests: key verification with admin down, and Redis cut.
    await admin.close();
    await call(
      'POST',
      '/v1/recommend',
      { 'x-api-key': 'rk_0123456789cd_never-seen-0123456789abcdefghijklmnopq' },
      body(),
    );
    deps.redis.disconnect();
    await call('POST', '/v1/recommend', { 'x-api-key': KEYS['acme:viewer'] }, body());
    await call('GET', '/readyz');
    process.stdout.write(`captured ${logs.text().length} bytes of serving logs\n`);
    expect(logs.text().length).toBeGreaterThan(0);
    const secrets = [...Object.values(KEYS), wrongKey, jwt, SERVICE_TOKEN];
    expect(logs.leaks(secrets)).toEqual([]);
  });
});

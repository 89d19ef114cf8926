/**
 * Serving's credential boundaries beyond the tenancy matrix: the internal signal endpoints take only the
 * service token (a tenant's admin key or JWT — even for its own tenant — is refused), and serving refuses to
 * start with a JWKS URL whose host is not allowed or that is plain http without the opt-in (checked on
 * the real process, started from its sources).
 */
import { join } from 'node:path';
import { createLogger } from '@recsys/platform/logger';
import { migrateToLatest } from '@recsys/platform/db';
import {
  callOperation,
  createTestRedis,
  createTestSchema,
  exampleOf,
  internalOperations,
  loadOpenApi,
  runServiceUntilExit,
  serve,
  startAdminKeyStub,
  startJwks,
  type AdminKeyStub,
  type TestJwks,
  type TestRedis,
  type TestSchema,
} from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

const SERVICE_TOKEN = 'test-service-token-0123456789';
const ADMIN_KEY = 'rk_aaaaaaaaaaa3_acme-admin-secret-0123456789abcdefghijklm';

describe('serving credential boundaries', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let http: Awaited<ReturnType<typeof serve>>;
  let jwks: TestJwks;
  let admin: AdminKeyStub;
  const document = loadOpenApi('serving');
  let base: Record<string, string>;

  beforeAll(async () => {
    jwks = await startJwks({ audience: 'recsys-serving' });
    admin = await startAdminKeyStub(SERVICE_TOKEN);
    admin.keys.set(ADMIN_KEY, { key_id: 'key-acme-admin', tenant_id: 'acme', roles: ['admin'] });
    schema = await createTestSchema('serving');
    redis = await createTestRedis();
    base = {
      DATABASE_URL: schema.url,
      SERVING_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN,
      ADMIN_URL: admin.url,
      TENANT_RATE_LIMIT_ENABLED: 'false',
      ...jwks.env,
    };
    deps = createDeps(loadConfig(base), createLogger('serving', 'silent'));
    await migrateToLatest(deps.db, schema.schema, migrations);
    await deps.start();
    http = await serve(createApp(deps));
  });

  afterAll(async () => {
    await http.close();
    for (const closer of deps.closers) await closer.close();
    await redis.cleanup();
    await schema.drop();
    await jwks.close();
    await admin.close();
  });

  it('when an internal signal endpoint is called with a tenant credential (admin key, admin JWT, own tenant), then 401/403 — only the service token passes', async () => {
    const ops = internalOperations(document);
    expect(ops.length).toBeGreaterThanOrEqual(3);
    const jwt = await jwks.sign({ tenant_id: 'acme', roles: ['admin', 'platform-admin'] });
    const pathParams = { tenant_id: 'acme', surface: 'home', segment: 'default', version: 'v1' };
    const cells: { op: string; as: string; status: number; code?: string }[] = [];
    for (const op of ops) {
      const body = op.bodySchema ? exampleOf(document, op.bodySchema) : undefined;
      const asCallers: Record<string, Record<string, string>> = {
        'admin key': { 'x-api-key': ADMIN_KEY, 'x-org-id': 'acme' },
        'admin jwt': { authorization: `Bearer ${jwt}` },
        'wrong service token': { 'x-service-token': `${SERVICE_TOKEN}x` },
        none: {},
      };
      for (const [as, headers] of Object.entries(asCallers)) {
        const res = await callOperation(http.url, op, { pathParams, headers, body });
        cells.push({ op: op.key, as, status: res.status, code: res.code });
      }
      // Positive control: the service token reaches the handler (any answer but 401/403).
      const ok = await callOperation(http.url, op, {
        pathParams,
        headers: { 'x-service-token': SERVICE_TOKEN },
        body,
      });
      expect({ op: op.key, refused: ok.status === 401 || ok.status === 403 }).toEqual({
        op: op.key,
        refused: false,
      });
    }
    expect(cells.filter((c) => c.status !== 401 && c.status !== 403)).toEqual([]);
    expect(cells.length).toBe(ops.length * 4);
  });

  it('when the JWKS host is not in AUTH_JWKS_ALLOWED_HOSTS, or the JWKS is plain http without the opt-in, then the serving process refuses to start', async () => {
    const port = String(18000 + Math.floor(Math.random() * 1000));
    for (const unsafe of <Record<string, string>[]>[
      { AUTH_JWKS_ALLOWED_HOSTS: 'idp.example.com' },
      { AUTH_ALLOW_INSECURE_JWKS: 'false' },
    ]) {
      const { code, output } = await runServiceUntilExit(join(__dirname, '..'), {
        ...base,
        ...unsafe,
        SERVING_PORT: port,
        LOG_LEVEL: 'error',
      });
      expect({ unsafe, code, refused: /AuthConfigError|JWKS/.test(output) }).toEqual({
        unsafe,
        code: 1,
        refused: true,
      });
    }
  }, 120_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createTestRedis, createTestSchema, waitFor, type TestRedis, type TestSchema } from '@recsys/testing';
import { devHeaders, post, publishVersion, SERVICE_TOKEN, startServing, type Serving } from './harness.js';

const T = 'real';

/** The real admin service, spawned from its own package (services never import each other). */
describe('with the real admin service', () => {
  let adminSchema: TestSchema;
  let admin: ChildProcess;
  let adminUrl: string;
  let serving: Serving;
  let schema: TestSchema;
  let redis: TestRedis;
  const svc = { 'content-type': 'application/json', 'X-Service-Token': SERVICE_TOKEN };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${adminUrl}${path}`, {
      method,
      headers: svc,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    schema = await createTestSchema('serving');
    redis = await createTestRedis();
    adminSchema = await createTestSchema('admin');
    const port = 19000 + Math.floor(Math.random() * 1000);
    adminUrl = `http://127.0.0.1:${port}`;
    admin = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: join(__dirname, '../../admin'),
      env: {
        ...process.env,
        DATABASE_URL: adminSchema.url,
        ADMIN_DB_SCHEMA: adminSchema.schema,
        MIGRATE_ON_START: 'true',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.prefix,
        SERVICE_TOKEN,
        ADMIN_PORT: String(port),
        ADMIN_HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    await waitFor(async () => (await fetch(`${adminUrl}/healthz`)).ok, 60_000, 200);
    serving = await startServing(
      { ADMIN_URL: adminUrl, RECSYS_CONFIG_CACHE_TTL: '5m', API_KEY_CACHE_TTL: '60s' },
      { redis, schema },
    );
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v1', { popularity: { a: 2, b: 1 } });
  }, 90_000);

  afterAll(async () => {
    await serving.close();
    const exited = new Promise((resolve) => admin.on('exit', resolve));
    admin.kill('SIGTERM');
    await exited;
    await adminSchema.drop();
    await redis.cleanup();
    await schema.drop();
  });

  it('when config changes, a key is revoked and the tenant disabled in admin, then serving follows within a second', async () => {
    expect((await call('POST', '/v1/admin/tenants', { external_id: T, display_name: 'Real' })).status).toBe(
      201,
    );
    const put = await call('PUT', `/v1/admin/tenants/${T}/config`, { algo: 'popularity' });
    expect(put.status).toBe(200);
    const firstVersion = put.headers.get('etag');
    const issued = await call('POST', `/v1/admin/tenants/${T}/keys`, { name: 'web', roles: ['viewer'] });
    expect(issued.status).toBe(201);
    const keyHeaders = { 'content-type': 'application/json', 'X-API-Key': issued.body.api_key };
    const rec = (headers: Record<string, string> = keyHeaders) =>
      post(`${serving.url}/v1/recommend`, { surface: 'home', user: { user_id: 'u' } }, headers);

    const first = await rec();
    expect(first.status).toBe(200);
    expect(first.body.meta.tenant_id).toBe(T);
    expect(first.body.meta.config_version).toBe(firstVersion);
    expect(first.body.meta.algo_version).toBe('recsys-algo@local:popularity');

    const second = await call('PUT', `/v1/admin/tenants/${T}/config`, { algo: 'blend' });
    const secondVersion = second.headers.get('etag');
    expect(secondVersion).not.toBe(firstVersion);
    await waitFor(async () => (await rec()).body.meta.config_version === secondVersion, 1000, 50);

    expect((await call('POST', `/v1/admin/tenants/${T}/keys/${issued.body.key.id}/revoke`)).status).toBe(200);
    await waitFor(async () => (await rec()).status === 401, 1000, 50);

    expect((await call('POST', `/v1/admin/tenants/${T}/disable`)).status).toBe(200);
    await waitFor(async () => (await rec(devHeaders(T))).status === 403, 1000, 50);
    expect((await rec(devHeaders(T))).body.code).toBe('RECSYS_TENANT_DISABLED');
  });
});

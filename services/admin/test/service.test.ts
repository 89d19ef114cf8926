import { spawn } from 'node:child_process';
import { createLogger } from '@recsys/platform/logger';
import { migrateToLatest } from '@recsys/platform/db';
import { ConfigError } from '@recsys/platform/config';
import {
  createTestRedis,
  createTestSchema,
  serve,
  waitFor,
  type TestRedis,
  type TestSchema,
} from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

const SERVICE_TOKEN = 'test-service-token-0123456789';

describe('admin service', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let http: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    schema = await createTestSchema('admin');
    redis = await createTestRedis();
    const config = loadConfig({
      DATABASE_URL: schema.url,
      ADMIN_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN,
    });
    deps = createDeps(config, createLogger('admin', 'silent'));
    await migrateToLatest(deps.db, schema.schema, migrations);
    http = await serve(createApp(deps));
  });

  afterAll(async () => {
    await http.close();
    for (const closer of deps.closers) await closer.close();
    await redis.cleanup();
    await schema.drop();
  });

  it('when alive, then /healthz answers 200', async () => {
    const res = await fetch(`${http.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('when Postgres and Redis are up, then /readyz is 200 with per-dependency detail', async () => {
    await waitFor(() => deps.redis.status === 'ready');
    const res = await fetch(`${http.url}/readyz`);
    const body: any = await res.json();
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks.postgres.status).toBe('ok');
    expect(body.checks.redis.status).toBe('ok');
  });

  it('when scraped, then /metrics is Prometheus text with per-route request counts', async () => {
    await fetch(`${http.url}/healthz`);
    const res = await fetch(`${http.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/healthz"[^}]*\} \d+/);
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('when the body is malformed JSON, then 400 problem+json with code, request_id and the echoed X-Request-Id', async () => {
    const res = await fetch(`${http.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'req-malformed-1',
        'x-service-token': SERVICE_TOKEN,
      },
      body: '{"external_id": "acme",',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('x-request-id')).toBe('req-malformed-1');
    const problem: any = await res.json();
    expect(problem).toMatchObject({
      code: 'RECSYS_INVALID_REQUEST',
      status: 400,
      request_id: 'req-malformed-1',
      instance: '/v1/admin/tenants',
      type: 'https://errors.recsys.example/problem/recsys-invalid-request',
    });
  });

  it('when no credentials are presented, then admin routes answer 401 RECSYS_AUTH_REQUIRED', async () => {
    const res = await fetch(`${http.url}/v1/admin/tenants`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).code).toBe('RECSYS_AUTH_REQUIRED');
  });

  it('when a tenant is created, then it is stored in admin’s own schema and listed', async () => {
    const res = await fetch(`${http.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-token': SERVICE_TOKEN },
      body: JSON.stringify({ external_id: 'acme', display_name: 'Acme' }),
    });
    expect(res.status).toBe(201);
    const rows = await schema.query('select external_id, status from tenants');
    expect(rows.rows).toEqual([{ external_id: 'acme', status: 'active' }]);
    const list = await fetch(`${http.url}/v1/admin/tenants`, {
      headers: { 'x-service-token': SERVICE_TOKEN },
    });
    expect(((await list.json()) as any).tenants.map((t: any) => t.external_id)).toEqual(['acme']);
    const again = await fetch(`${http.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-token': SERVICE_TOKEN },
      body: JSON.stringify({ external_id: 'acme', display_name: 'Acme' }),
    });
    expect(again.status).toBe(409);
  });

  it('when an env value is invalid, then config parsing fails naming the variable', () => {
    expect(() => loadConfig({ ADMIN_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ ADMIN_PORT: 'abc' })).toThrow(/ADMIN_PORT/);
  });

  it('when the process gets SIGTERM, then it drains and exits 0', async () => {
    const port = 18000 + Math.floor(Math.random() * 1000);
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: `${__dirname}/..`,
      env: {
        ...process.env,
        DATABASE_URL: schema.url,
        ADMIN_DB_SCHEMA: schema.schema,
        REDIS_URL: redis.url,
        ADMIN_PORT: String(port),
        SERVICE_TOKEN,
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // tsx compiles the service on start: allow for a busy machine.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 80_000, 100);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
  it('when started with ENV=production and dev auth enabled (or without a real hash secret), then the process refuses to boot and exits 1 without listening', async () => {
    const boot = (env: Record<string, string>) => {
      const port = 19000 + Math.floor(Math.random() * 1000);
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
        cwd: `${__dirname}/..`,
        env: {
          ...process.env,
          DATABASE_URL: schema.url,
          ADMIN_DB_SCHEMA: schema.schema,
          REDIS_URL: redis.url,
          ADMIN_PORT: String(port),
          SERVICE_TOKEN,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += String(chunk)));
      child.stderr.on('data', (chunk) => (output += String(chunk)));
      return new Promise<{ code: number | null; output: string; port: number }>((resolve) =>
        child.on('exit', (code) => resolve({ code, output, port })),
      );
    };
    const devInProduction = await boot({
      ENV: 'production',
      DEV_AUTH_ENABLED: 'true',
      API_KEY_HASH_SECRET: 'a-real-production-secret-value',
    });
    expect(devInProduction.code).toBe(1);
    expect(devInProduction.output).toContain('DEV_AUTH_ENABLED must not be true when ENV=production');
    await expect(fetch(`http://127.0.0.1:${devInProduction.port}/healthz`)).rejects.toThrow();
    const defaultSecret = await boot({ ENV: 'production' });
    expect(defaultSecret.code).toBe(1);
    expect(defaultSecret.output).toContain('API_KEY_HASH_SECRET');
  }, 120_000);
});

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

describe('ingest service', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let http: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    schema = await createTestSchema('ingest');
    redis = await createTestRedis();
    const config = loadConfig({
      DATABASE_URL: schema.url,
      INGEST_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
    });
    deps = createDeps(config, createLogger('ingest', 'silent'));
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

  it('when an env value is invalid, then config parsing fails naming the variable', () => {
    expect(() => loadConfig({ INGEST_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ INGEST_PORT: 'abc' })).toThrow(/INGEST_PORT/);
  });

  it('when the process gets SIGTERM, then it drains and exits 0', async () => {
    const port = 18000 + Math.floor(Math.random() * 1000);
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: `${__dirname}/..`,
      env: {
        ...process.env,
        DATABASE_URL: schema.url,
        INGEST_DB_SCHEMA: schema.schema,
        REDIS_URL: redis.url,
        INGEST_PORT: String(port),
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 20000, 100);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

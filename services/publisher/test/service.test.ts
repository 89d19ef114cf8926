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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from '../src/app.js';
import { parseTargets, Scheduler } from '../src/scheduler.js';
import { exportLines, writeJsonl } from './support/fixtures.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

describe('publisher service', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let http: Awaited<ReturnType<typeof serve>>;
  let dir: string;

  beforeAll(async () => {
    schema = await createTestSchema('publisher');
    redis = await createTestRedis();
    dir = mkdtempSync(join(tmpdir(), 'publisher-svc-'));
    const input = writeJsonl(
      join(dir, 'events.jsonl'),
      exportLines({ days: 4, users: 10, clusters: 2, itemsPerCluster: 4 }),
    );
    const config = loadConfig({
      DATABASE_URL: schema.url,
      PUBLISHER_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'silent',
      PUBLISHER_STORE: pathToFileURL(join(dir, 'store')).href,
      PUBLISHER_INPUT: `jsonl:${input}`,
      PUBLISHER_WINDOW_DAYS: '3650',
      PUBLISHER_EVALUATOR: 'local',
      PUBLISHER_EASE_ITEMS: '8',
      PUBLISHER_SCHEDULE_TARGETS: 'acme:home',
      PUBLISHER_SCHEDULE_INTERVAL: '1h',
    });
    deps = createDeps(config, createLogger('publisher', 'silent'));
    await migrateToLatest(deps.db, schema.schema, migrations);
    http = await serve(createApp(deps));
  });

  afterAll(async () => {
    await http.close();
    for (const closer of deps.closers) await closer.close();
    await redis.cleanup();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a scheduled cycle publishes, then /metrics exposes the freshness gauge and per-stage durations', async () => {
    const before = Date.now() / 1000;
    const scheduler = new Scheduler(
      deps,
      parseTargets(deps.config.PUBLISHER_SCHEDULE_TARGETS),
      deps.config.PUBLISHER_SCHEDULE_INTERVAL,
    );
    expect(await scheduler.cycle()).toEqual({ 'acme:home:default': 0 });
    const text = await (await fetch(`${http.url}/metrics`)).text();
    const match =
      /recsys_publisher_last_success_timestamp_seconds\{[^}]*tenant="acme"[^}]*surface="home"[^}]*\} (\d+(?:\.\d+)?)/.exec(
        text,
      );
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(Math.floor(before));
    expect(text).toMatch(/recsys_publisher_stage_duration_seconds_count\{[^}]*stage="build"[^}]*\} 1/);
    expect(text).toMatch(/recsys_publisher_runs_total\{[^}]*command="run"[^}]*outcome="published"[^}]*\} 1/);
    expect(() => parseTargets(['acme'])).toThrow(/tenant:surface/);
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
    expect(() => loadConfig({ PUBLISHER_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PUBLISHER_PORT: 'abc' })).toThrow(/PUBLISHER_PORT/);
  });

  it('when the process gets SIGTERM, then it drains and exits 0', async () => {
    const port = 18000 + Math.floor(Math.random() * 1000);
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: `${__dirname}/..`,
      env: {
        ...process.env,
        DATABASE_URL: schema.url,
        PUBLISHER_DB_SCHEMA: schema.schema,
        REDIS_URL: redis.url,
        PUBLISHER_PORT: String(port),
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60000, 100);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});

describe('recsys-publisher CLI', () => {
  it('when run with --help, then it lists its commands and exits 0', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'src/cli.ts', '--help'],
      {
        cwd: `${__dirname}/..`,
        encoding: 'utf8',
      },
    );
    expect(out).toMatch(/Usage: recsys-publisher <command>/);
    expect(out).toMatch(/^\s+serve\s+/m);
    expect(out).toMatch(/^\s+migrate\s+/m);
    for (const command of ['run', 'backfill', 'status', 'ship', 'rollback', 'eval', 'validate']) {
      expect(out).toMatch(new RegExp(`^\\s+${command}\\s+`, 'm'));
    }
    expect(out).toMatch(/Exit codes:/);
  });
});

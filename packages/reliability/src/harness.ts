/**
 * Fault-injection harness: a whole stack (devstack's startStack) on its own embedded Postgres, its own
 * redis-server and its own ports, with handles to break each piece — kill -9 a service and start it again,
 * restart Redis, stop and start Postgres — and a closed-loop HTTP load generator that records every answer.
 * Never touches the shared Postgres on 5432 or Redis on 6379.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isListening,
  repoRoot,
  SERVICE_NAMES,
  sleep,
  startStack,
  type ServiceName,
  type Stack,
} from '@recsys/devstack/stack';

export { sleep };

/** Throws with the command to run when a service has not been built. */
export function assertDistBuilt(): void {
  const missing = SERVICE_NAMES.filter(
    (name) =>
      !existsSync(join(repoRoot, 'services', name, 'dist/main.js')) ||
      !existsSync(join(repoRoot, 'services', name, 'dist/migrate.js')),
  );
  if (missing.length) {
    throw new Error(
      `services not built (${missing.join(', ')}: dist/main.js missing). Run \`pnpm turbo run build\` from the repo root first.`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitUntil<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (error) {
      last = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

// ---- Redis ---------------------------------------------------------------------------------------------------

export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL the server (data is not persisted: --save ''). */
  kill: () => Promise<void>;
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startPrivateRedis(port?: number): Promise<PrivateRedis> {
  const binary = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!binary) throw new Error('redis-server not found on PATH (apt-get install -y redis-server)');
  const p = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(binary, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitUntil(() => isListening(p), 10_000, `redis-server on :${p}`);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return { port: p, url: `redis://127.0.0.1:${p}`, kill, start, stop: kill };
}

// ---- Postgres ------------------------------------------------------------------------------------------------

export interface PrivatePostgres {
  port: number;
  url: string;
  stop: () => Promise<void>;
  start: () => Promise<void>;
}

/**
 * Embedded Postgres under stateDir/postgres, run by src/embedded-pg.ts in a child process (the package is
 * ESM-only and cannot be loaded inside jest). stop() shuts it down cleanly; start() brings it back on the
 * same port and data.
 */
export async function startPrivatePostgres(
  stateDir: string,
  port: number,
  database = 'recsys',
): Promise<PrivatePostgres> {
  if (await isListening(port))
    throw new Error(`port ${port} is already in use; choose another Postgres port`);
  const script = join(dirname(fileURLToPath(import.meta.url)), 'embedded-pg.ts');
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(
      process.execPath,
      ['--import', 'tsx', script, join(stateDir, 'postgres'), String(port), database],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: join(repoRoot, 'packages', 'reliability'),
      },
    );
    child = c;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      c.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      });
      c.once('exit', (code) => reject(new Error(`embedded Postgres exited (${code}) before it was ready`)));
    });
    await waitUntil(() => isListening(port), 30_000, 'Postgres to listen');
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    await waitUntil(async () => !(await isListening(port)), 30_000, 'Postgres to stop');
  };
  await start();
  return { port, url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`, stop, start };
}

// ---- TCP proxy (to make a dependency unreachable without stopping it) ----------------------------------------

export interface TcpProxy {
  port: number;
  url: (scheme?: string) => string;
  /** Refuse new connections and cut the open ones. */
  down: () => Promise<void>;
  up: () => Promise<void>;
  close: () => Promise<void>;
}

export async function startTcpProxy(targetPort: number, port?: number): Promise<TcpProxy> {
  const { connect } = await import('node:net');
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const p = port ?? (await freePort());
  const up = async () => {
    server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(p, '127.0.0.1', resolve));
  };
  const down = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await up();
  return { port: p, url: (scheme = 'http') => `${scheme}://127.0.0.1:${p}`, down, up, close: down };
}

// ---- HTTP proxy with a trap (to crash a client at an exact request) ------------------------------------------

export interface TrappedRequest {
  method: string;
  url: string;
}

export interface HttpProxy {
  port: number;
  url: string;
  /** Every request seen (method and URL), in order. */
  requests: TrappedRequest[];
  /**
   * Arms a trap: the next request for which `match` is true is not forwarded. `action` runs first (e.g. it
   * SIGKILLs the client process), then the connection is cut. Resolves with the trapped request.
   */
  trap: (match: (request: TrappedRequest) => boolean, action: () => void) => Promise<TrappedRequest>;
  close: () => Promise<void>;
}

/**
 * An HTTP forward proxy to 127.0.0.1:targetPort that passes requests through unchanged (headers included, so
 * S3 signatures stay valid) and records them; `trap` stops one chosen request before it reaches the server.
 */
export async function startHttpProxy(targetPort: number): Promise<HttpProxy> {
  const { createServer: createHttpServer } = await import('node:http');
  const requests: TrappedRequest[] = [];
  let armed:
    | { match: (r: TrappedRequest) => boolean; action: () => void; resolve: (r: TrappedRequest) => void }
    | undefined;
  const server = createHttpServer((req, res) => {
    const seen = { method: req.method ?? 'GET', url: req.url ?? '/' };
    requests.push(seen);
    const trap = armed;
    if (trap && trap.match(seen)) {
      armed = undefined;
      trap.action();
      req.socket.destroy();
      trap.resolve(seen);
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: seen.method, path: seen.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    trap: (match, action) => new Promise((resolve) => (armed = { match, action, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- the stack -------------------------------------------------------------------------------------------

export interface FaultStack {
  stack: Stack;
  stateDir: string;
  redis: PrivateRedis;
  postgres: PrivatePostgres;
  urls: Stack['urls'];
  serviceToken: string;
  /** PID of the process listening on a service's port. */
  pidOf: (service: ServiceName) => number;
  /** SIGKILL a service (the stack's own child or one started by restart). */
  kill9: (service: ServiceName) => Promise<void>;
  /** Starts the service again from dist/main.js with the stack's env; resolves when /readyz answers 200. */
  restart: (service: ServiceName, extraEnv?: Record<string, string>) => Promise<void>;
  /** Tail of a service's log file. */
  logTail: (service: ServiceName, bytes?: number) => string;
  stop: () => Promise<void>;
}

export interface FaultStackOptions {
  name: string;
  /** Port of serving; admin, ingest and publisher take the next three. */
  basePort: number;
  /** Embedded Postgres port (QUICKSTART_PG_PORT). */
  pgPort: number;
  env?: Record<string, string>;
  log?: (message: string) => void;
}

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  assertDistBuilt();
  const log = options.log ?? (() => undefined);
  const stateDir = mkdtempSync(join(tmpdir(), `recsys-${options.name}-`));
  // As root, Postgres runs as a dedicated system user that must be able to reach its data directory.
  chmodSync(stateDir, 0o755);
  const redis = await startPrivateRedis();
  let postgres: PrivatePostgres | undefined;
  const extra: ChildProcess[] = [];
  try {
    postgres = await startPrivatePostgres(stateDir, options.pgPort);
    // startStack reads DATABASE_URL / REDIS_URL from the environment: point them at the private servers.
    const saved = {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      PG: process.env.QUICKSTART_PG_PORT,
    };
    process.env.DATABASE_URL = postgres.url;
    process.env.REDIS_URL = redis.url;
    process.env.QUICKSTART_PG_PORT = String(options.pgPort);
    let stack: Stack;
    try {
      stack = await startStack({
        stateDir,
        basePort: options.basePort,
        database: 'recsys',
        redisKeyPrefix: `${options.name}:`,
        env: { LOG_LEVEL: 'info', TENANT_RATE_LIMIT_ENABLED: 'false', ...options.env },
        log,
      });
    } finally {
      for (const [k, v] of Object.entries({
        DATABASE_URL: saved.DATABASE_URL,
        REDIS_URL: saved.REDIS_URL,
        QUICKSTART_PG_PORT: saved.PG,
      })) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const port = (service: ServiceName) => Number(new URL(stack.urls[service]).port);
    const pidOf = (service: ServiceName): number => {
      const out = spawnSync('ss', ['-ltnpH', `sport = :${port(service)}`], { encoding: 'utf8' }).stdout;
      const match = /pid=(\d+)/.exec(out);
      if (!match) throw new Error(`no process listens on :${port(service)} (${service})`);
      return Number(match[1]);
    };
    const logFile = (service: ServiceName) => join(stateDir, 'logs', `${service}.log`);
    const pg = postgres;
    return {
      stack,
      stateDir,
      redis,
      postgres: pg,
      urls: stack.urls,
      serviceToken: stack.secrets.serviceToken,
      pidOf,
      kill9: async (service) => {
        const pid = pidOf(service);
        process.kill(pid, 'SIGKILL');
        await waitUntil(async () => !(await isListening(port(service))), 10_000, `${service} to die`);
      },
      restart: async (service, extraEnv = {}) => {
        const out = openSync(logFile(service), 'a');
        const child = spawn(
          process.execPath,
          ['--enable-source-maps', join(repoRoot, 'services', service, 'dist/main.js')],
          {
            env: { ...stack.env, ...extraEnv },
            stdio: ['ignore', out, out],
          },
        );
        extra.push(child);
        await waitUntil(
          async () =>
            (await fetch(`${stack.urls[service]}/readyz`).then(
              (r) => r.status,
              () => 0,
            )) === 200,
          60_000,
          `${service} to become ready after restart`,
          200,
        );
      },
      logTail: (service, bytes = 4000) => {
        try {
          const text = readFileSync(logFile(service), 'utf8');
          return text.slice(-bytes);
        } catch {
          return '';
        }
      },
      stop: async () => {
        for (const child of extra)
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await stack.stop();
        await Promise.all(
          extra.map((c) =>
            c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)),
          ),
        );
        await pg.stop().catch(() => undefined);
        await redis.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await postgres?.stop().catch(() => undefined);
    await redis.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}

// ---- HTTP helpers --------------------------------------------------------------------------------------------

export async function http(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: unknown; raw?: string; contentType?: string } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= options.contentType ?? 'application/json';
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: any = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Creates a tenant in admin (service token) and returns an API key with the given roles. */
export async function createTenantWithKey(
  fs: FaultStack,
  tenant: string,
  roles: string[] = ['admin'],
): Promise<string> {
  const service = { 'x-service-token': fs.serviceToken };
  const created = await http('POST', `${fs.urls.admin}/v1/admin/tenants`, {
    headers: service,
    body: { external_id: tenant, display_name: tenant },
  });
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`create tenant: ${created.status} ${created.text}`);
  const key = await http('POST', `${fs.urls.admin}/v1/admin/tenants/${tenant}/keys`, {
    headers: service,
    body: { name: 'reliability', roles },
  });
  if (key.status !== 201) throw new Error(`create key: ${key.status} ${key.text}`);
  return key.body.api_key as string;
}

const WINDOW = { start: '2026-01-01T00:00:00Z', end: '2026-01-31T00:00:00Z' };
const BUILD = { built_at: '2026-01-31T00:00:00Z', version: 'reliability', source_hash: 'x', params: {} };

/** Stages and activates a DB-mode signal version on serving through its internal endpoints. */
export async function publishSignals(
  fs: FaultStack,
  tenant: string,
  surface: string,
  version: string,
  popularity: Record<string, number>,
): Promise<void> {
  const segment = 'default';
  const env = { v: 1, tenant, surface, segment, window: WINDOW, build: BUILD, counts: {} };
  const base = `${fs.urls.serving}/internal/v1/signals/${tenant}/${surface}/${segment}/versions/${version}`;
  const headers = { 'x-service-token': fs.serviceToken };
  const put = await http('PUT', base, {
    headers,
    body: {
      manifest: {
        v: 1,
        tenant,
        surface,
        segment,
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
          items: Object.entries(popularity).map(([item_id, score]) => ({
            item_id,
            score,
            count: Math.round(score),
          })),
        },
      },
    },
  });
  if (put.status !== 201) throw new Error(`stage signals: ${put.status} ${put.text}`);
  const act = await http('POST', `${base}/activate`, { headers });
  if (act.status !== 200) throw new Error(`activate signals: ${act.status} ${act.text}`);
}

// ---- load generator -----------------------------------------------------------------------------------------

export interface Sample {
  /** ms since the load started. */
  at: number;
  status: number;
  ms: number;
  error?: string;
  /** Problem code of a non-2xx answer. */
  code?: string;
}

export interface LoadRun {
  samples: Sample[];
  stop: () => Promise<LoadStats>;
}

export interface LoadStats {
  total: number;
  ok: number;
  byStatus: Record<string, number>;
  /** Non-2xx answers by `status code`, with the time (ms since the load started) of the first. */
  failures: Record<string, { n: number; firstAt: number }>;
  errors: number;
  p50: number;
  p99: number;
  samples: Sample[];
}

export function startLoad(options: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body: () => unknown;
  concurrency?: number;
  /** Pause between requests of one worker (ms); keeps the load light on shared CPUs. */
  pauseMs?: number;
}): LoadRun {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 4 });
  const target = new URL(options.url);
  const samples: Sample[] = [];
  const started = Date.now();
  let running = true;
  const one = () =>
    new Promise<Sample>((resolve) => {
      const t0 = performance.now();
      const body = JSON.stringify(options.body());
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: options.method ?? 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...options.headers,
          },
          timeout: 10_000,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let text = '';
          if (status >= 200 && status < 300) res.resume();
          else res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => {
            let code: string | undefined;
            try {
              code = text ? (JSON.parse(text) as { code?: string }).code : undefined;
            } catch {
              code = undefined;
            }
            resolve({
              at: Date.now() - started,
              status,
              ms: performance.now() - t0,
              ...(code ? { code } : {}),
            });
          });
          res.on('error', (e) =>
            resolve({ at: Date.now() - started, status: 0, ms: performance.now() - t0, error: e.message }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) =>
        resolve({ at: Date.now() - started, status: 0, ms: performance.now() - t0, error: e.message }),
      );
      req.end(body);
    });
  const worker = async () => {
    while (running) {
      samples.push(await one());
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, worker);
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      return summarize(samples);
    },
  };
}

export interface EventBatchResult {
  /** ms since the load started. */
  at: number;
  /** ms since the load started, when the answer (or the error) arrived. */
  done: number;
  status: number;
  code?: string;
  ids: string[];
  error?: string;
}

export interface EventLoad {
  /** Event ids of batches answered 200 with every event accepted or reported duplicate. */
  acked: () => string[];
  /** Event ids of batches refused (non-200) or cut off; the client did not get an acknowledgement. */
  unacked: () => string[];
  batches: EventBatchResult[];
  /** Date.now() when the load started (batch times are relative to it). */
  startedAt: number;
  stop: () => Promise<{ batches: number; byStatus: Record<string, number>; codes: Record<string, number> }>;
}

/**
 * Closed-loop batches of outcome events (ids `${prefix}${n}`) posted to ingest; records which ids were
 * acknowledged, so a fault test can check that every acknowledged event is stored exactly once.
 */
export function startEventLoad(options: {
  url: string;
  headers: Record<string, string>;
  prefix: string;
  batchSize?: number;
  concurrency?: number;
  pauseMs?: number;
}): EventLoad {
  const concurrency = options.concurrency ?? 1;
  const batchSize = options.batchSize ?? 10;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(options.url);
  const batches: EventBatchResult[] = [];
  const started = Date.now();
  let seq = 0;
  let running = true;
  const one = () =>
    new Promise<EventBatchResult>((resolve) => {
      const at = Date.now() - started;
      const ids = Array.from({ length: batchSize }, () => `${options.prefix}${seq++}`);
      const occurred = new Date().toISOString();
      const body = JSON.stringify({
        events: ids.map((event_id, i) => ({
          event_id,
          type: i % 5 === 0 ? 'click' : 'view',
          item_id: `item-${i}`,
          user_id: `u${seq % 50}`,
          occurred_at: occurred,
        })),
      });
      const finish = (status: number, text: string, error?: string) => {
        let code: string | undefined;
        let allStored = false;
        try {
          const parsed = JSON.parse(text) as {
            code?: string;
            results?: { status: string }[];
          };
          code = parsed.code;
          allStored =
            Array.isArray(parsed.results) &&
            parsed.results.length === ids.length &&
            parsed.results.every((r) => r.status === 'accepted' || r.status === 'duplicate');
        } catch {
          // not JSON
        }
        resolve({
          at,
          done: Date.now() - started,
          status: status === 200 && !allStored ? -200 : status,
          ids,
          ...(code ? { code } : {}),
          ...(error ? { error } : {}),
        });
      };
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...options.headers,
          },
          timeout: 10_000,
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => finish(res.statusCode ?? 0, text));
          res.on('error', (e) => finish(0, text, e.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => finish(0, '', e.message));
      req.end(body);
    });
  const worker = async () => {
    while (running) {
      batches.push(await one());
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    batches,
    startedAt: started,
    acked: () => batches.filter((b) => b.status === 200).flatMap((b) => b.ids),
    unacked: () => batches.filter((b) => b.status !== 200).flatMap((b) => b.ids),
    stop: async () => {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      const byStatus: Record<string, number> = {};
      const codes: Record<string, number> = {};
      for (const b of batches) {
        const key = b.status === -200 ? '200-partial' : String(b.status);
        byStatus[key] = (byStatus[key] ?? 0) + 1;
        if (b.code) codes[b.code] = (codes[b.code] ?? 0) + 1;
      }
      return { batches: batches.length, byStatus, codes };
    },
  };
}

export function summarize(samples: Sample[]): LoadStats {
  const byStatus: Record<string, number> = {};
  const failures: LoadStats['failures'] = {};
  for (const s of samples) {
    byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    if (s.status < 200 || s.status >= 300) {
      const key = `${s.status} ${s.code ?? s.error ?? ''}`.trim();
      failures[key] ??= { n: 0, firstAt: s.at };
      failures[key].n++;
    }
  }
  const lat = samples
    .filter((s) => s.status === 200)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : 0);
  return {
    total: samples.length,
    ok: byStatus['200'] ?? 0,
    byStatus,
    failures,
    errors: samples.filter((s) => s.status === 0).length,
    p50: q(0.5),
    p99: q(0.99),
    samples,
  };
}

export async function readyz(url: string): Promise<{ status: number; body: any }> {
  const res = await http('GET', `${url}/readyz`).catch(() => ({ status: 0, body: undefined }));
  return { status: res.status, body: res.body };
}

// ---- artifact sets (the publisher's S3 layout) --------------------------------------------------------------

/**
 * Writes a versioned popularity artifact set in the publisher's registry layout
 * (docs/adr/0006-publish-pointer-protocol.md): the content-addressed object first, then the `current`
 * manifest (the pointer) that names it.
 */
export async function writeArtifactSet(
  put: (key: string, body: string) => Promise<void>,
  bucket: string,
  tenant: string,
  surface: string,
  version: string,
  popularity: Record<string, number>,
): Promise<void> {
  const { createHash } = await import('node:crypto');
  const segment = 'default';
  const doc = {
    v: 1,
    tenant,
    surface,
    segment,
    window: WINDOW,
    build: BUILD,
    counts: {},
    artifact_type: 'popularity',
    items: Object.entries(popularity).map(([item_id, score]) => ({
      item_id,
      score,
      count: Math.round(score),
    })),
  };
  const body = JSON.stringify(doc);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const key = `registry/objects/${tenant}/${surface}/popularity/${sha256}.json`;
  await put(key, body);
  const uri = `s3://${bucket}/${key}`;
  await put(
    currentManifestKey(tenant, surface),
    JSON.stringify({
      v: 1,
      tenant,
      surface,
      segment,
      version,
      current: { popularity: uri },
      artifacts: { popularity: { uri, sha256, bytes: Buffer.byteLength(body) } },
      updated_at: new Date().toISOString(),
      previous_version: null,
    }),
  );
}

/** Key of the `current` manifest of a (tenant, surface) in the publisher's layout. */
export function currentManifestKey(tenant: string, surface: string): string {
  return `registry/current/${tenant}/${surface}/manifest.json`;
}

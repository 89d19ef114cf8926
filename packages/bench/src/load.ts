/**
 * Load measurement with autocannon, and the two reference servers every serving figure is reported next to:
 * an express 5 hello-world and a `node:http` server, each returning the same bytes as a real response.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, type as osType } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { isListening, sleep } from '@recsys/devstack/stack';

/**
 * BENCH_CPUS=<server>:<load tool> (e.g. 0:1) pins the single-process server under test and the load tool (this
 * process) to those CPUs, so that neither shares a core with the other; Redis and Postgres are left to the OS.
 */
const [serverCpus, loadCpus] = (process.env.BENCH_CPUS ?? '').split(':');

/** Pins this process (the load tool) and a running server (all its threads) per BENCH_CPUS; no-op unset. */
export function pinCpus(serverPid: number | undefined): void {
  if (!serverCpus || !loadCpus) return;
  spawnSync('taskset', ['-apc', loadCpus, String(process.pid)], { stdio: 'ignore' });
  if (serverPid) spawnSync('taskset', ['-apc', serverCpus, String(serverPid)], { stdio: 'ignore' });
}

export interface LoadResult {
  target: string;
  rps: number;
  /** Latency percentiles of the 2xx responses, ms. */
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  durationSeconds: number;
  connections: number;
  /** rps of every round, when the result is the median of several (bench.ts). */
  roundsRps?: number[];
  /** CPU µs per request by process during the measured load (when `cpuOf` was given). */
  cpuPerRequest?: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  connections?: number;
  durationSeconds?: number;
  warmupSeconds?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Request bodies to rotate through (one per request). */
  bodies?: string[];
  /** Processes (name → pid) whose CPU per request is reported, next to Redis, Postgres and the load tool. */
  cpuOf?: Record<string, number | undefined>;
}

export async function measure(target: string, options: LoadOptions): Promise<LoadResult> {
  const connections = options.connections ?? 50;
  /** Runs the load; `latencies` (when given) receives the latency in ms of every 2xx response. */
  const run = (duration: number, latencies?: number[]) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      let i = 0;
      const bodies = options.bodies;
      const instance = autocannon(
        {
          url: options.url,
          method: options.method ?? 'GET',
          headers: options.headers,
          connections,
          duration,
          ...(bodies?.length
            ? {
                requests: [
                  {
                    setupRequest: (request: any) => {
                      request.body = bodies[i++ % bodies.length];
                      return request;
                    },
                  },
                ],
              }
            : {}),
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
      // autocannon's own summary has p97.5 but no p95, so the percentiles are taken from every response.
      if (latencies) {
        instance.on('response', (_client, status: number, _bytes, ms: number) => {
          if (status >= 200 && status < 300) latencies.push(ms);
        });
      }
    });
  if (options.warmupSeconds ?? 3) await run(options.warmupSeconds ?? 3);
  const latencies: number[] = [];
  const cpuBefore = options.cpuOf ? cpuByProcess(options.cpuOf) : undefined;
  const result = await run(options.durationSeconds ?? 10, latencies);
  const cpu =
    options.cpuOf && cpuBefore
      ? cpuPerRequest(cpuBefore, cpuByProcess(options.cpuOf), result.requests.total)
      : undefined;
  const sorted = Float64Array.from(latencies).sort();
  return {
    target,
    rps: Math.round(result.requests.average),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors: result.errors,
    non2xx: result.non2xx,
    durationSeconds: options.durationSeconds ?? 10,
    connections,
    ...(cpu ? { cpuPerRequest: cpu } : {}),
  };
}

/** CPU seconds so far (utime + stime) and parent pid of a process or thread, from its /proc stat line (Linux). */
function procStat(pid: number, path = `/proc/${pid}/stat`): { seconds: number; ppid: number } {
  const stat = readFileSync(path, 'utf8');
  // After "pid (comm) ": state, ppid, …, utime and stime (fields 14 and 15 of the line, in USER_HZ).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { seconds: (Number(fields[11]) + Number(fields[12])) / 100, ppid: Number(fields[1]) };
}

/**
 * CPU seconds so far of the `named` processes (with their node:cluster workers; "main thread" is the named
 * process's own), of Redis and Postgres, of the other node processes and of this one (the load tool), read from
 * /proc; empty where /proc is missing. On a host where the load tool, the
 * server and its backing services share the cores, it says who spent them.
 */
export function cpuByProcess(named: Record<string, number | undefined>): Record<string, number> {
  const totals: Record<string, number> = { redis: 0, postgres: 0, 'other node': 0, client: 0 };
  for (const [name, pid] of Object.entries(named)) {
    totals[name] = 0;
    // The main (JavaScript) thread alone; the rest of the process is GC helpers and the libuv pool.
    try {
      if (pid) totals[`${name} main thread`] = procStat(pid, `/proc/${pid}/task/${pid}/stat`).seconds;
    } catch {
      // exited
    }
  }
  const byPid = new Map(Object.entries(named).map(([name, pid]) => [pid, name]));
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid));
  } catch {
    return {};
  }
  for (const pid of pids) {
    let comm: string;
    let stat: { seconds: number; ppid: number };
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      stat = procStat(Number(pid));
    } catch {
      continue; // exited meanwhile
    }
    // A named process's node:cluster workers count as that process.
    const key =
      byPid.get(Number(pid)) ??
      byPid.get(stat.ppid) ??
      (Number(pid) === process.pid
        ? 'client'
        : comm === 'redis-server'
          ? 'redis'
          : comm === 'postgres'
            ? 'postgres'
            : comm === 'node'
              ? 'other node'
              : undefined);
    if (key) totals[key]! += stat.seconds;
  }
  return totals;
}

/**
 * Waits (up to `maxSeconds`) until the processes other than this one use less than a tenth of a core over a
 * second: what a previous load left behind (ingest storing its exposures, autovacuum) must not run during the
 * next measurement. Returns the seconds waited.
 */
export async function settleHost(maxSeconds = 120): Promise<number> {
  const started = performance.now();
  const busy = (cpu: Record<string, number>) =>
    Object.entries(cpu).reduce((sum, [name, s]) => (name === 'client' ? sum : sum + s), 0);
  let last = busy(cpuByProcess({}));
  while (performance.now() - started < maxSeconds * 1000) {
    await sleep(1000);
    const now = busy(cpuByProcess({}));
    if (now - last < 0.1) break;
    last = now;
  }
  return (performance.now() - started) / 1000;
}

/** CPU µs per request by process between two `cpuByProcess` readings. */
export function cpuPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after))
    out[name] = Math.round(((seconds - (before[name] ?? 0)) * 1e6) / Math.max(1, requests));
  return out;
}

/** Nearest-rank percentile of ascending `sorted` latencies, in ms with two decimals (0 when empty). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return Math.round(sorted[rank - 1]! * 100) / 100;
}

/** WORKERS > 1: the same server in that many node:cluster workers, as serving runs with SERVING_WORKERS. */
const CLUSTERED = `
import cluster from 'node:cluster';
const workers = Number(process.env.WORKERS ?? 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.kill('SIGTERM'); process.exit(0); });
} else await import('./SERVER.mjs');
`;

const EXPRESS_SERVER = `
import express from 'express';
const body = process.env.BODY;
const app = express();
app.disable('x-powered-by');
app.post('/', (_req, res) => { res.type('application/json').send(body); });
app.get('/', (_req, res) => { res.type('application/json').send(body); });
app.listen(Number(process.env.PORT), '127.0.0.1');
`;

const NODE_HTTP_SERVER = `
import { createServer } from 'node:http';
const body = Buffer.from(process.env.BODY);
createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

/** Starts a reference server in its own process, like the services (no CPU pinning for anyone). */
export async function startReferenceServer(
  kind: 'express' | 'node-http',
  port: number,
  body: string,
  cwd: string,
  workers = 1,
): Promise<ChildProcess> {
  // Inside node_modules so the ESM import of express resolves from this package.
  const dir = join(cwd, 'node_modules/.cache/recsys-bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${kind}.mjs`), kind === 'express' ? EXPRESS_SERVER : NODE_HTTP_SERVER);
  const file = join(dir, `${kind}-clustered.mjs`);
  writeFileSync(file, CLUSTERED.replace('SERVER', kind));
  const command =
    serverCpus && loadCpus && workers === 1
      ? ['taskset', '-c', serverCpus, process.execPath]
      : [process.execPath];
  const child = spawn(command[0]!, [...command.slice(1), file], {
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), BODY: body, WORKERS: String(workers) },
    cwd,
    stdio: 'ignore',
  });
  for (let i = 0; i < 100 && !(await isListening(port)); i++) await sleep(50);
  return child;
}

export function describeMachine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
}

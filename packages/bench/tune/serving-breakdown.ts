/**
 * What a serving request costs, step by step: CPU µs per request of the serving process (and of Redis) under
 * `pnpm bench`'s load, for requests that stop at successive steps of the path. Starts the bench stack (reusing
 * its signals when live), runs a second serving process against the same database and Redis, and drives it with
 * autocannon, alternating the variants for `rounds` rounds:
 *
 *   healthz    GET /healthz: node:http, the request context and metrics, nothing else
 *   validate   POST /v1/recommend/validate: + auth, body parsing and validation (express)
 *   unknown    POST /v1/recommend for user ids serving has never seen: + the snapshot, the user-state read
 *              (empty), popularity ranking, the response and its exposure
 *   known      … for known users (the `pnpm bench` request): + the user's history and its neighbours
 *
 * CPU is read from /proc (user + system of each process), so the serving figure is the process's own cost, not
 * the throughput the shared host leaves it. Ingest is stopped meanwhile (the exposures wait on the stream) unless
 * BENCH_INGEST=running. SERVING_ENV='K=V,…' adds env to the measured serving process; SERVING_B_ENV='K=V,…'
 * starts a second one with that env and alternates the two (an A/B of settings on one host); SERVING_B_DIST=<dir>
 * runs the second from another build (a copy of services/serving/dist kept inside services/serving, so that
 * its imports resolve);
 * BREAKDOWN_ONLY=known,… measures only those variants.
 *
 *   cd packages/bench && node --conditions=source --import tsx tune/serving-breakdown.ts [seconds=8] [rounds=2]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS, repoRoot } from '@recsys/devstack/stack';
import { measure, type LoadOptions } from '../src/load.js';
import { buildProtocol } from '../src/online-retail.js';
import { startBenchStack, SURFACE } from '../src/retail.js';
import { retailSignalsAlone } from './retail-stack.js';

const log = (m: string) => console.error(`[breakdown] ${m}`);
const MEASURED_PORT = 18192;

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 8);
  const rounds = Number(process.argv[3] ?? 2);
  const protocol = await buildProtocol();
  const stack = await startBenchStack(log);
  try {
    const apiKey = await retailSignalsAlone(stack, log);
    const envOf = (spec: string | undefined) =>
      Object.fromEntries(
        (spec ?? '')
          .split(',')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
    // Ingest stores the exposures in Postgres on the same cores; BENCH_INGEST=running keeps it consuming them.
    const ingestMode = process.env.BENCH_INGEST === 'running' ? 'running' : 'stopped';
    if (ingestMode === 'stopped') await stack.stopService('ingest');
    const dist = join(repoRoot, 'services/serving/dist');
    const servers = [{ name: 'A', env: envOf(process.env.SERVING_ENV), dist }];
    if (process.env.SERVING_B_ENV !== undefined || process.env.SERVING_B_DIST !== undefined)
      servers.push({
        name: 'B',
        env: envOf(process.env.SERVING_B_ENV),
        dist: process.env.SERVING_B_DIST ? join(process.cwd(), process.env.SERVING_B_DIST) : dist,
      });
    const started = await Promise.all(
      servers.map(async ({ name, env, dist }, n) => {
        const port = MEASURED_PORT + n;
        const child = spawn(process.execPath, [...NODE_FLAGS.serving, join(dist, 'main.js')], {
          env: { ...stack.env, ...env, SERVING_PORT: String(port), MIGRATE_ON_START: 'false' },
          stdio: 'inherit',
        });
        const url = `http://127.0.0.1:${port}`;
        for (
          let i = 0;
          !(await fetch(`${url}/readyz`).then(
            (r) => r.ok,
            () => false,
          ));
          i++
        ) {
          if (i > 300) throw new Error(`measured serving ${name} did not become ready`);
          await sleep(200);
        }
        return { name, child, url };
      }),
    );
    await sleep(2_000);
    const known = [...protocol.trainUsers].slice(0, 2000);
    const request = (user: string) => JSON.stringify({ surface: SURFACE, k: 20, user: { user_id: user } });
    const variantsOf = (url: string): [string, LoadOptions][] => {
      const post = (path: string, bodies: string[]): LoadOptions => ({
        url: `${url}${path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        bodies,
        connections: 50,
      });
      return [
        ['healthz', { url: `${url}/healthz`, connections: 50 }],
        [
          'validate',
          post(
            '/v1/recommend/validate',
            known.map((u) => request(u)),
          ),
        ],
        [
          'unknown',
          post(
            '/v1/recommend',
            known.map((_, i) => request(`never-seen-${i}`)),
          ),
        ],
        [
          'known',
          post(
            '/v1/recommend',
            known.map((u) => request(u)),
          ),
        ],
      ];
    };
    const only = process.env.BREAKDOWN_ONLY?.split(',');
    const runs = started.flatMap(({ name, child, url }) =>
      variantsOf(url)
        .filter(([variant]) => !only || only.includes(variant))
        .map(([variant, load]) => ({
          label: started.length > 1 ? `${variant} ${name}` : variant,
          child,
          load,
        })),
    );
    // Alternating A and B per variant, so both see the same host.
    runs.sort((x, y) => x.label.split(' ')[0]!.localeCompare(y.label.split(' ')[0]!));
    const rows = new Map<string, { rps: number[]; cpu: Record<string, number[]> }>();
    for (let round = 0; round < rounds; round++) {
      for (const { label: name, child, load } of round % 2 ? [...runs].reverse() : runs) {
        await measure(`${name} (warm-up)`, { ...load, durationSeconds: 2, warmupSeconds: 0 });
        const result = await measure(name, {
          ...load,
          durationSeconds: seconds,
          warmupSeconds: 0,
          cpuOf: { serving: child.pid, ingest: stack.pid('ingest') },
        });
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`${name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
        const row = rows.get(name) ?? { rps: [], cpu: {} };
        row.rps.push(result.rps);
        for (const [k, us] of Object.entries(result.cpuPerRequest ?? {})) (row.cpu[k] ??= []).push(us);
        rows.set(name, row);
        log(
          `round ${round + 1} ${name}: ${result.rps} rps, CPU µs/request ${JSON.stringify(result.cpuPerRequest)}`,
        );
      }
    }
    const median = (xs: number[] = []) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const columns = Object.keys([...rows.values()][0]?.cpu ?? {});
    console.log(`CPU µs per request by process, medians of ${rounds} rounds (ingest ${ingestMode})`);
    console.log(`| request | rps | ${columns.join(' | ')} |`);
    console.log(`| --- | ---: | ${columns.map(() => '---:').join(' | ')} |`);
    for (const [name, row] of rows) {
      console.log(
        `| ${name} | ${median(row.rps)} | ${columns.map((c) => median(row.cpu[c]).toFixed(0)).join(' | ')} |`,
      );
    }
    for (const { child } of started) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await stack.startService('ingest');
  } finally {
    await stack.stop();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

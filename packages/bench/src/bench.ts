/**
 * `pnpm bench`: one run, one machine, one load tool (autocannon), figures in JSON and Markdown
 * (bench-results/bench.{json,md}). It never fails on a timing; it fails only if something breaks.
 *   1. prepares tenant `retail` through the real path (ingest → publisher → serving), timing each stage;
 *   2. serving: /v1/recommend (k=20, known users, exposures on, API-key auth) next to an express 5
 *      hello-world and a node:http server returning the same bytes;
 *   3. memory per snapshot (serving's own accounting);
 *   4. the same serving run on a synthetic 100k-item / 1M-user snapshot.
 * Ingest (bulk vs COPY) and publisher (per-stage time and RSS) have their own scripts, run from here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { retireLiveSignals } from '@recsys/devstack/signals';
import { NODE_FLAGS, repoRoot, type Stack } from '@recsys/devstack/stack';
import {
  describeMachine,
  measure,
  pinCpus,
  settleHost,
  startReferenceServer,
  type LoadResult,
} from './load.js';
import { buildProtocol } from './online-retail.js';
import { bootstrapTenant, hasLiveSignals, importTrain, publish, startBenchStack, SURFACE } from './retail.js';
import { loadSynthetic, SYNTHETIC_TENANT } from './synthetic.js';

const log = (m: string) => console.log(`[bench] ${m}`);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
/** Parts to run (comma-separated): serving, synthetic, ingest, publisher; all by default. */
const parts = new Set((process.env.BENCH_PARTS ?? 'serving,synthetic,ingest,publisher').split(','));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Rounds of the single-process serving and hello-world runs (each row: the median round). */
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/** The round with the median rps, carrying every round's rps. */
function medianRound(results: LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, roundsRps: results.map((r) => r.rps) };
}
/**
 * Also measure serving with SERVING_WORKERS=<n> (node:cluster) next to the express hello-world in as many
 * workers; 0 skips it. Default 2, the cores of the reference machine.
 */
const clusterWorkers = Number(process.env.BENCH_SERVING_WORKERS ?? 2);
const CLUSTERED_SERVING_PORT = 18191;

async function servingRun(
  stack: Stack,
  apiKey: string,
  users: string[],
  label: string,
): Promise<{ results: LoadResult[]; sampleBytes: number }> {
  const bodies = users
    .slice(0, 2000)
    .map((user) => JSON.stringify({ surface: SURFACE, k: 20, user: { user_id: user } }));
  const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
  const sample = await fetch(`${stack.urls.serving}/v1/recommend`, {
    method: 'POST',
    headers,
    body: bodies[0],
  });
  const sampleBody = await sample.text();
  if (sample.status !== 200) throw new Error(`serving answered ${sample.status}: ${sampleBody}`);
  const results: LoadResult[] = [];
  // Each load starts on a quiet host: after serving's, ingest stores the exposures it emitted for a while.
  const settle = async () => {
    const waited = await settleHost();
    if (waited > 1.5) log(`waited ${waited.toFixed(1)} s for the host to settle`);
  };
  /**
   * Serving emits an exposure per response to the Redis stream either way. `ingest: 'alongside'` leaves ingest
   * storing them in Postgres during the run, on the same two cores; `'paused'` stops ingest for the run, so that
   * serving has the host as the hello-worlds do, and the exposures wait on the stream until ingest is back (the
   * settle before the next run waits for it to store them).
   */
  const withIngest = async <T>(ingest: 'alongside' | 'paused', run: () => Promise<T>): Promise<T> => {
    if (ingest === 'alongside') return run();
    await stack.stopService('ingest');
    try {
      return await run();
    } finally {
      await stack.startService('ingest');
    }
  };
  const servingOnce = async (ingest: 'alongside' | 'paused') => {
    await settle();
    return withIngest(ingest, () => {
      pinCpus(stack.pid('serving'));
      return measure(
        `serving /v1/recommend (${label})${ingest === 'paused' ? ', ingest paused' : ', ingest storing exposures alongside'}`,
        {
          url: `${stack.urls.serving}/v1/recommend`,
          method: 'POST',
          headers,
          bodies,
          connections,
          durationSeconds: seconds,
          cpuOf: { serving: stack.pid('serving'), ingest: stack.pid('ingest') },
        },
      );
    });
  };
  const reference = async (
    kind: 'express' | 'node-http',
    port: number,
    workers: number,
  ): Promise<LoadResult> => {
    const child = await startReferenceServer(
      kind,
      port,
      sampleBody,
      join(repoRoot, 'packages/bench'),
      workers,
    );
    try {
      await settle();
      return await measure(`${kind} hello-world, same bytes${workers > 1 ? `, ${workers} workers` : ''}`, {
        url: `http://127.0.0.1:${port}/`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        bodies,
        connections,
        durationSeconds: seconds,
        cpuOf: { server: child.pid },
      });
    } finally {
      child.kill('SIGTERM');
      await sleep(500);
    }
  };
  // Rounds of serving, express, node:http in turn: the host's speed drifts, and a ratio is only as good as
  // the runs it divides; each row reports the round with the median rps, and every round's rps.
  const rows = [
    () => servingOnce('paused'),
    () => servingOnce('alongside'),
    () => reference('express', 18101, 1),
    () => reference('node-http', 18102, 1),
  ].map((run) => ({ run, results: [] as LoadResult[] }));
  for (let round = 0; round < rounds; round++) for (const row of rows) row.results.push(await row.run());
  for (const row of rows) results.push(medianRound(row.results));
  if (clusterWorkers > 1) {
    // The same serving build, in a process of its own with SERVING_WORKERS, against the same stack.
    const serving = spawn(
      process.execPath,
      [...NODE_FLAGS.serving, join(repoRoot, 'services/serving/dist/main.js')],
      {
        env: {
          ...stack.env,
          SERVING_PORT: String(CLUSTERED_SERVING_PORT),
          SERVING_WORKERS: String(clusterWorkers),
          MIGRATE_ON_START: 'false',
        },
        stdio: 'ignore',
      },
    );
    try {
      const url = `http://127.0.0.1:${CLUSTERED_SERVING_PORT}`;
      for (
        let i = 0;
        !(await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ));
        i++
      ) {
        if (i > 600) throw new Error('clustered serving did not become ready');
        await sleep(200);
      }
      // Every worker loads its snapshots after it listens; give the last one time to finish.
      await sleep(5_000);
      await settle();
      // As the single-process "ingest paused" row: the hello-worlds have no ingest storing exposures beside them.
      results.push(
        await withIngest('paused', () =>
          measure(`serving /v1/recommend (${label}), ingest paused, ${clusterWorkers} workers`, {
            url: `${url}/v1/recommend`,
            method: 'POST',
            headers,
            bodies,
            connections,
            durationSeconds: seconds,
            cpuOf: { serving: serving.pid, ingest: stack.pid('ingest') },
          }),
        ),
      );
    } finally {
      const exited = new Promise((resolve) => serving.once('exit', resolve));
      serving.kill('SIGTERM');
      await exited;
    }
    results.push(await reference('express', 18103, clusterWorkers));
  }
  return { results, sampleBytes: Buffer.byteLength(sampleBody) };
}

async function snapshotMemory(stack: Stack): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.urls.serving}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^recsys_signal_snapshot_bytes\{([^}]*)\} ([\d.e+]+)$/gm))
    out[match[1]!] = Number(match[2]);
  // The process as the OS and V8 see it, next to serving's own accounting.
  for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text);
    if (match) out[name] = Number(match[1]);
  }
  return out;
}

function runScript(label: string, cwd: string, script: string, env: NodeJS.ProcessEnv): string {
  log(`${label}: ${script}`);
  const result = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() || `(exit ${result.status})`;
}

/**
 * Rows in N workers are compared with the express hello-world in as many workers, the others with one; "by round"
 * divides each round by express's round of the same index, which ran minutes apart at most (rounds alternate).
 */
function table(results: LoadResult[]): string {
  const workersOf = (target: string) => /, (\d+) workers$/.exec(target)?.[1] ?? '1';
  const express = (workers: string) =>
    results.find((r) => r.target.startsWith('express') && workersOf(r.target) === workers);
  const byRound = (r: LoadResult, base: LoadResult | undefined): string => {
    const rounds = r.roundsRps;
    const baseRounds = base?.roundsRps;
    if (!rounds || !baseRounds || rounds.length !== baseRounds.length || rounds.length < 2) return '—';
    return rounds.map((rps, i) => (baseRounds[i] ? (rps / baseRounds[i]).toFixed(2) : '—')).join(', ');
  };
  return [
    '| target | rps | rps of each round | p50 ms | p95 ms | p99 ms | non-2xx | × express (same workers) | × express by round | CPU µs per request |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...results.map((r) => {
      const base = express(workersOf(r.target));
      const ratio = base?.rps ? (r.rps / base.rps).toFixed(2) : '—';
      const cpu = Object.entries(r.cpuPerRequest ?? {})
        .map(([name, us]) => `${name} ${us}`)
        .join(' · ');
      return `| ${r.target} | ${r.rps} | ${r.roundsRps?.join(', ') ?? '—'} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.non2xx} | ${ratio} | ${byRound(r, base)} | ${cpu || '—'} |`;
    }),
  ].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const protocol = await buildProtocol();
  const stack = await startBenchStack(log);
  const report: Record<string, unknown> = {
    command: 'pnpm bench',
    machine: describeMachine(),
    loadTool: `autocannon, ${connections} connections, ${seconds} s after a 3 s warm-up, ${rounds} rounds`,
  };
  try {
    const apiKey = await bootstrapTenant(stack);
    // Signals a previous run published from the same train window are reused when BENCH_REUSE=1.
    if (process.env.BENCH_REUSE === '1' && (await hasLiveSignals(stack))) {
      log('signals of a previous run are live; reusing them (BENCH_REUSE=1)');
      report.import = { reused: true };
    } else {
      report.import = await importTrain(stack, log);
      const published = await publish(stack, log);
      report.publishSeconds = published.seconds;
    }
    // A fresh stack holds only Online Retail's snapshot here; a synthetic one a previous run left live would weigh on
    // serving's heap during this measurement.
    if ((await retireLiveSignals(stack, SYNTHETIC_TENANT)) > 0)
      log('retired the synthetic snapshot of a previous run');
    const retail = await servingRun(stack, apiKey, [...protocol.trainUsers], 'Online Retail, known users');
    report.serving = retail;
    report.snapshotBytes = await snapshotMemory(stack);
    if (parts.has('synthetic')) {
      const synthetic = await loadSynthetic(stack, { items: 100_000, users: 1_000_000, log });
      report.synthetic = {
        ...synthetic.summary,
        ...(await servingRun(
          stack,
          synthetic.apiKey,
          synthetic.sampleUsers,
          'synthetic 100k items / 1M users',
        )),
      };
      report.snapshotBytesAfterSynthetic = await snapshotMemory(stack);
    }
  } finally {
    await stack.stop();
  }
  const skipped = '(not run: BENCH_PARTS)';
  report.ingest = parts.has('ingest')
    ? runScript('ingest bulk vs COPY', join(repoRoot, 'services/ingest'), 'bench/bulk-import.ts', process.env)
    : skipped;
  report.publisher = parts.has('publisher')
    ? runScript('publisher stages', join(repoRoot, 'services/publisher'), 'bench/pipeline.ts', process.env)
    : skipped;
  report.totalSeconds = (Date.now() - started) / 1000;

  const dir = join(repoRoot, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bench.json'), JSON.stringify(report, null, 2));
  const retail = report.serving as { results: LoadResult[] };
  const synthetic = report.synthetic as { results: LoadResult[] } | undefined;
  const markdown = [
    `# pnpm bench — ${new Date().toISOString()}`,
    '',
    `Machine: ${JSON.stringify(report.machine)}. Load: ${report.loadTool}.`,
    '',
    '## Serving, Online Retail snapshot',
    table(retail.results),
    '',
    '## Serving, synthetic 100k items / 1M users',
    synthetic ? table(synthetic.results) : skipped,
    '',
    '## Snapshot memory (bytes, serving accounting)',
    '```json',
    JSON.stringify(
      { retail: report.snapshotBytes, afterSynthetic: report.snapshotBytesAfterSynthetic },
      null,
      2,
    ),
    '```',
    '',
    '## Ingest',
    '```',
    String(report.ingest),
    '```',
    '',
    '## Publisher',
    '```',
    String(report.publisher),
    '```',
  ].join('\n');
  writeFileSync(join(dir, 'bench.md'), markdown);
  console.log(markdown);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

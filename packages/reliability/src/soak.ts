/**
 * `pnpm soak`: SOAK_MINUTES (default 10) of mixed load — recommend on serving plus outcome batches on ingest
 * — against a private stack. Every 10 s it samples RSS (/proc) and V8 heap (the service's /metrics) of each
 * service process and the p50/p99 latency of the last window; at the end it fits a least-squares line to
 * memory after warm-up and fails when the slope exceeds the bound (MiB per 10 minutes). Figures are printed
 * and written to results/soak.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, type ServiceName } from '@recsys/devstack/stack';
import {
  createTenantWithKey,
  publishSignals,
  sleep,
  startFaultStack,
  startLoad,
  summarize,
  type Sample,
} from './harness.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const intervalMs = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10) * 1000;
const warmupFraction = Number(process.env.SOAK_WARMUP_FRACTION ?? 0.2);
const heapBoundMiB = Number(process.env.SOAK_HEAP_BOUND_MIB ?? 5);
const rssBoundMiB = Number(process.env.SOAK_RSS_BOUND_MIB ?? 15);
const basePort = Number(process.env.SOAK_BASE_PORT ?? 19100);
const pgPort = Number(process.env.SOAK_PG_PORT ?? 54341);
const here = dirname(fileURLToPath(import.meta.url));
const TENANT = 'soakco';
const MiB = 1024 * 1024;

interface MemorySample {
  t: number;
  service: ServiceName;
  rssBytes: number;
  heapUsedBytes: number;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : NaN;
}

async function heapOf(url: string): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(text);
  return match ? Number(match[1]) : NaN;
}

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den ? num / den : 0;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;
}

/** Per-service memory slopes after warm-up and the pass verdict (see the file comment). */
export function analyze(memory: MemorySample[], warmup: number) {
  return SERVICE_NAMES.map((service) => {
    const points = memory.filter((m) => m.service === service && m.t >= warmup);
    const rssSlope = slope(points.map((p) => ({ x: p.t, y: p.rssBytes })));
    const heapSlope = slope(
      points.filter((p) => Number.isFinite(p.heapUsedBytes)).map((p) => ({ x: p.t, y: p.heapUsedBytes })),
    );
    // V8 collects lazily, so raw heap/RSS samples are a sawtooth whose slope depends on where the last
    // major GC fell. A leak raises the floor: the pass criterion is the slope of the per-minute minimum
    // (the post-GC floor); the raw slopes are reported beside it.
    const floor = (pick: (p: MemorySample) => number) => {
      const byMinute = new Map<number, { x: number; y: number; n: number }>();
      for (const p of points) {
        const y = pick(p);
        if (!Number.isFinite(y)) continue;
        const minute = Math.floor(p.t / 60);
        const cur = byMinute.get(minute);
        byMinute.set(minute, {
          x: minute * 60 + 30,
          y: Math.min(y, cur?.y ?? Infinity),
          n: (cur?.n ?? 0) + 1,
        });
      }
      // A minute with fewer than 3 samples (the final partial one) has no meaningful floor.
      return slope([...byMinute.values()].filter((b) => b.n >= 3));
    };
    const rssMiBPer10 = (floor((p) => p.rssBytes) * 600) / MiB;
    const heapMiBPer10 = (floor((p) => p.heapUsedBytes) * 600) / MiB;
    const rawRssMiBPer10 = (rssSlope * 600) / MiB;
    const rawHeapMiBPer10 = (heapSlope * 600) / MiB;
    return {
      service,
      samples: points.length,
      rssStartMiB: points[0] ? points[0].rssBytes / MiB : NaN,
      rssEndMiB: points.at(-1) ? points.at(-1)!.rssBytes / MiB : NaN,
      rssFloorSlopeMiBPer10Min: Math.round(rssMiBPer10 * 100) / 100,
      heapFloorSlopeMiBPer10Min: Math.round(heapMiBPer10 * 100) / 100,
      rssRawSlopeMiBPer10Min: Math.round(rawRssMiBPer10 * 100) / 100,
      heapRawSlopeMiBPer10Min: Math.round(rawHeapMiBPer10 * 100) / 100,
      pass: points.length >= 3 && heapMiBPer10 < heapBoundMiB && rssMiBPer10 < rssBoundMiB,
    };
  });
}

async function main(): Promise<void> {
  const log = (m: string) => process.stdout.write(`${m}\n`);
  log(
    `soak: ${minutes} min, sampling every ${intervalMs / 1000} s; bounds on the per-minute floor: heap < ${heapBoundMiB} MiB/10 min, RSS < ${rssBoundMiB} MiB/10 min after ${warmupFraction * 100}% warm-up`,
  );
  const fs = await startFaultStack({
    name: 'soak',
    basePort,
    pgPort,
    env: { LOG_LEVEL: 'warn' },
    log: (m) => log(`[stack] ${m}`),
  });
  let exitCode = 1;
  try {
    await createTenantWithKey(fs, TENANT);
    await publishSignals(
      fs,
      TENANT,
      'home',
      'v1',
      Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`item-${i}`, 500 - i])),
    );
    const headers = { 'x-service-token': fs.serviceToken, 'x-org-id': TENANT };
    const pids = Object.fromEntries(SERVICE_NAMES.map((s) => [s, fs.pidOf(s)])) as Record<
      ServiceName,
      number
    >;
    let eventSeq = 0;
    const recommend = startLoad({
      url: `${fs.urls.serving}/v1/recommend`,
      headers,
      body: () => ({ surface: 'home', user: { user_id: `u${Math.floor(Math.random() * 5000)}` }, k: 10 }),
      concurrency: 3,
      pauseMs: 2,
    });
    const events = startLoad({
      url: `${fs.urls.ingest}/v1/events/outcomes`,
      headers,
      body: () => ({
        events: Array.from({ length: 20 }, () => ({
          event_id: `soak-${eventSeq++}`,
          type: Math.random() < 0.8 ? 'view' : 'click',
          item_id: `item-${Math.floor(Math.random() * 500)}`,
          user_id: `u${Math.floor(Math.random() * 5000)}`,
          occurred_at: new Date().toISOString(),
        })),
      }),
      concurrency: 1,
      pauseMs: 20,
    });
    const memory: MemorySample[] = [];
    const windows: {
      t: number;
      recommend: { n: number; p50: number; p99: number; errors: number };
      events: { n: number; p50: number; p99: number; errors: number };
    }[] = [];
    const started = Date.now();
    const end = started + minutes * 60_000;
    let seenRec = 0;
    let seenEv = 0;
    const windowStats = (samples: Sample[]) => {
      const lat = samples
        .filter((s) => s.status >= 200 && s.status < 300)
        .map((s) => s.ms)
        .sort((a, b) => a - b);
      return {
        n: samples.length,
        p50: Math.round(quantile(lat, 0.5) * 10) / 10,
        p99: Math.round(quantile(lat, 0.99) * 10) / 10,
        errors: samples.filter((s) => s.status < 200 || s.status >= 300).length,
      };
    };
    while (Date.now() < end) {
      await sleep(Math.min(intervalMs, Math.max(0, end - Date.now())));
      const t = (Date.now() - started) / 1000;
      for (const service of SERVICE_NAMES) {
        memory.push({
          t,
          service,
          rssBytes: rssOf(pids[service]),
          heapUsedBytes: await heapOf(fs.urls[service]).catch(() => NaN),
        });
      }
      const rec = windowStats(recommend.samples.slice(seenRec));
      const ev = windowStats(events.samples.slice(seenEv));
      seenRec = recommend.samples.length;
      seenEv = events.samples.length;
      windows.push({ t, recommend: rec, events: ev });
      const mem = SERVICE_NAMES.map((s) => {
        const m = memory.filter((x) => x.service === s).at(-1)!;
        return `${s} rss ${(m.rssBytes / MiB).toFixed(1)} heap ${(m.heapUsedBytes / MiB).toFixed(1)}`;
      }).join(' | ');
      log(
        `t=${t.toFixed(0)}s recommend n=${rec.n} p50=${rec.p50}ms p99=${rec.p99}ms err=${rec.errors}; events n=${ev.n} p50=${ev.p50}ms p99=${ev.p99}ms err=${ev.errors}; ${mem}`,
      );
    }
    const recStats = await recommend.stop();
    const evStats = await events.stop();
    const durationSeconds = (Date.now() - started) / 1000;
    const warmup = durationSeconds * warmupFraction;
    const perService = analyze(memory, warmup);
    const recAll = summarize(recStats.samples);
    const evAll = summarize(evStats.samples);
    const errors =
      recStats.total -
      recStats.ok +
      (evStats.total -
        (evStats.byStatus['200'] ?? 0) -
        (evStats.byStatus['201'] ?? 0) -
        (evStats.byStatus['202'] ?? 0));
    const pass = perService.every((s) => s.pass) && errors === 0;
    const report = {
      at: new Date().toISOString(),
      minutes,
      durationSeconds,
      bounds: { heapMiBPer10Min: heapBoundMiB, rssMiBPer10Min: rssBoundMiB, warmupSeconds: warmup },
      requests: {
        recommend: { total: recStats.total, byStatus: recStats.byStatus, p50: recAll.p50, p99: recAll.p99 },
        events: { total: evStats.total, byStatus: evStats.byStatus, p50: evAll.p50, p99: evAll.p99 },
      },
      memory: perService,
      pass,
      windows,
      samples: memory,
    };
    const out = join(here, '..', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'soak.json'), JSON.stringify(report, null, 2));
    log('');
    log(
      `recommend: ${recStats.total} requests ${JSON.stringify(recStats.byStatus)} p50 ${recAll.p50.toFixed(1)} ms p99 ${recAll.p99.toFixed(1)} ms`,
    );
    log(
      `events:    ${evStats.total} batches of 20 ${JSON.stringify(evStats.byStatus)} p50 ${evAll.p50.toFixed(1)} ms p99 ${evAll.p99.toFixed(1)} ms`,
    );
    for (const s of perService) {
      log(
        `${s.pass ? 'PASS' : 'FAIL'} ${s.service}: RSS ${s.rssStartMiB.toFixed(1)} → ${s.rssEndMiB.toFixed(1)} MiB; floor slope RSS ${s.rssFloorSlopeMiBPer10Min}, heap ${s.heapFloorSlopeMiBPer10Min} MiB/10 min (raw RSS ${s.rssRawSlopeMiBPer10Min}, raw heap ${s.heapRawSlopeMiBPer10Min}; ${s.samples} samples after warm-up)`,
      );
    }
    log(`soak ${pass ? 'PASSED' : 'FAILED'} (results/soak.json)`);
    exitCode = pass ? 0 : 1;
  } finally {
    await fs.stop();
  }
  process.exit(exitCode);
}

/** `SOAK_ANALYZE=results/soak.json pnpm soak`: re-evaluates recorded samples without running load. */
function reanalyze(file: string): void {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    samples: MemorySample[];
    durationSeconds: number;
  };
  const perService = analyze(saved.samples, saved.durationSeconds * warmupFraction);
  for (const s of perService) {
    process.stdout.write(
      `${s.pass ? 'PASS' : 'FAIL'} ${s.service}: floor slope RSS ${s.rssFloorSlopeMiBPer10Min}, heap ${s.heapFloorSlopeMiBPer10Min} MiB/10 min (raw RSS ${s.rssRawSlopeMiBPer10Min}, raw heap ${s.heapRawSlopeMiBPer10Min})\n`,
    );
  }
  process.exit(perService.every((s) => s.pass) ? 0 : 1);
}

if (process.env.SOAK_ANALYZE) reanalyze(process.env.SOAK_ANALYZE);
else
  main().catch((error: unknown) => {
    process.stderr.write(
      `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });

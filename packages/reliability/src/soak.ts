/**
 * `pnpm soak`: SOAK_MINUTES (default 10) of mixed load — recommend on serving plus outcome batches on ingest
 * — against a private stack. Every SOAK_SAMPLE_SECONDS (2) it samples RSS (/proc) and V8 heap used and the
 * count of major GCs (the service's /metrics) of each service process; every 10 s it logs the p50/p99
 * latency of the last window. Every SOAK_GC_SECONDS (60) it makes each service run a full GC (SIGUSR2,
 * handled by src/gc-on-signal.cjs preloaded through NODE_OPTIONS) and samples right after: the retained
 * heap. At the end it fits a least-squares line to the retained heap and RSS after warm-up and fails when
 * a slope exceeds its bound (MiB per 10 minutes); the per-minute floor of the dense samples is reported
 * beside it. Figures are printed and written to results/soak.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const intervalMs = Number(process.env.SOAK_SAMPLE_SECONDS ?? 2) * 1000;
const windowMs = Number(process.env.SOAK_WINDOW_SECONDS ?? 10) * 1000;
const gcIntervalMs = Number(process.env.SOAK_GC_SECONDS ?? 60) * 1000;
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
  /** Major (mark-compact) GCs since the process started; NaN when the metric is missing. */
  majorGcs?: number;
  /** Taken right after a forced full GC: the retained heap. */
  afterGc?: boolean;
  /** V8 heap reserved (used + free pages); the heap's share of RSS. */
  heapTotalBytes?: number;
  /** Memory of Buffers and other objects outside the V8 heap. */
  externalBytes?: number;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : NaN;
}

async function heapOf(
  url: string,
): Promise<{ used: number; total: number; external: number; majorGcs: number }> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const gauge = (name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text);
    return match ? Number(match[1]) : NaN;
  };
  const gcs = /^nodejs_gc_duration_seconds_count\{[^}]*kind="major"[^}]*\} ([\d.e+]+)$/m.exec(text);
  return {
    used: gauge('nodejs_heap_size_used_bytes'),
    total: gauge('nodejs_heap_size_total_bytes'),
    external: gauge('nodejs_external_memory_bytes'),
    majorGcs: gcs ? Number(gcs[1]) : NaN,
  };
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
    // (the post-GC floor); the raw slopes are reported beside it. Samples are dense (every 2 s) so a minute's
    // minimum lands near its trough; minutes without a major GC (when the metric is there) have no floor.
    const gcKnown = points.some((p) => Number.isFinite(p.majorGcs));
    const minuteOf = (p: MemorySample) => Math.floor(p.t / 60);
    const majorsIn = new Map<number, number>();
    for (let i = 1; i < points.length; i++) {
      const delta = (points[i]!.majorGcs ?? NaN) - (points[i - 1]!.majorGcs ?? NaN);
      if (Number.isFinite(delta) && delta > 0)
        majorsIn.set(minuteOf(points[i]!), (majorsIn.get(minuteOf(points[i]!)) ?? 0) + delta);
    }
    const floorPoints = (pick: (p: MemorySample) => number) => {
      const byMinute = new Map<number, { x: number; y: number; n: number }>();
      for (const p of points) {
        const y = pick(p);
        if (!Number.isFinite(y)) continue;
        const minute = minuteOf(p);
        const cur = byMinute.get(minute);
        byMinute.set(minute, {
          x: minute * 60 + 30,
          y: Math.min(y, cur?.y ?? Infinity),
          n: (cur?.n ?? 0) + 1,
        });
      }
      // A minute with fewer than 3 samples (the final partial one) has no meaningful floor. A busy service
      // collects every minute: then only minutes with a major GC count. A nearly idle one rarely does, and its
      // heap barely moves, so all its minutes count.
      const full = [...byMinute.entries()].filter(([, b]) => b.n >= 3);
      const collected = full.filter(([minute]) => (majorsIn.get(minute) ?? 0) > 0);
      return (gcKnown && collected.length >= 3 ? collected : full).map(([, b]) => b);
    };
    const floor = (pick: (p: MemorySample) => number) => slope(floorPoints(pick));
    // RSS follows the heap's sawtooth (V8 lets old space grow between major GCs and returns pages lazily),
    // so its floor and its value after a forced GC are noisy; a leak raises the high-water mark too, so the
    // RSS criterion is the slope of the per-minute peak.
    const peaks = new Map<number, { x: number; y: number; n: number }>();
    for (const p of points) {
      if (p.afterGc || !Number.isFinite(p.rssBytes)) continue;
      const minute = minuteOf(p);
      const cur = peaks.get(minute);
      peaks.set(minute, { x: minute * 60 + 30, y: Math.max(p.rssBytes, cur?.y ?? 0), n: (cur?.n ?? 0) + 1 });
    }
    const rssPeakPoints = [...peaks.values()].filter((b) => b.n >= 3);
    // Where RSS goes: the per-minute peak of the V8 heap reserved, and external memory after each full GC.
    const heapTotalPeaks = new Map<number, number>();
    for (const p of points) {
      if (p.afterGc || !Number.isFinite(p.heapTotalBytes)) continue;
      heapTotalPeaks.set(minuteOf(p), Math.max(p.heapTotalBytes!, heapTotalPeaks.get(minuteOf(p)) ?? 0));
    }
    const rssPeakMiBPer10 = (slope(rssPeakPoints) * 600) / MiB;
    // The pass criterion when forced-GC samples exist: the slope of what survives a full GC.
    const retained = points.filter((p) => p.afterGc && Number.isFinite(p.heapUsedBytes));
    const retainedHeapMiBPer10 = (slope(retained.map((p) => ({ x: p.t, y: p.heapUsedBytes }))) * 600) / MiB;
    const retainedRssMiBPer10 = (slope(retained.map((p) => ({ x: p.t, y: p.rssBytes }))) * 600) / MiB;
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
      heapFloorMiBPerMinute: floorPoints((p) => p.heapUsedBytes).map(
        (b) => Math.round((b.y / MiB) * 10) / 10,
      ),
      majorGcs: [...majorsIn.values()].reduce((a, b) => a + b, 0),
      retainedHeapSlopeMiBPer10Min: Math.round(retainedHeapMiBPer10 * 100) / 100,
      retainedRssSlopeMiBPer10Min: Math.round(retainedRssMiBPer10 * 100) / 100,
      retainedHeapMiB: retained.map((p) => Math.round((p.heapUsedBytes / MiB) * 10) / 10),
      rssPeakSlopeMiBPer10Min: Math.round(rssPeakMiBPer10 * 100) / 100,
      rssPeakMiBPerMinute: rssPeakPoints.map((b) => Math.round((b.y / MiB) * 10) / 10),
      heapTotalPeakMiBPerMinute: [...heapTotalPeaks.values()].map((y) => Math.round((y / MiB) * 10) / 10),
      externalAfterGcMiB: retained
        .filter((p) => Number.isFinite(p.externalBytes))
        .map((p) => Math.round((p.externalBytes! / MiB) * 10) / 10),
      criterion:
        retained.length >= 3 ? 'heap retained after forced GC, RSS per-minute peak' : 'per-minute floor',
      pass:
        retained.length >= 3
          ? retainedHeapMiBPer10 < heapBoundMiB && rssPeakMiBPer10 < rssBoundMiB
          : floorPoints((p) => p.heapUsedBytes).length >= 3 &&
            heapMiBPer10 < heapBoundMiB &&
            rssMiBPer10 < rssBoundMiB,
    };
  });
}

/** Where the services write their forced-GC reports (made in main). */
let gcReportDir = '';

/** SIGUSR2 → the service runs a full GC and reports what survived (src/gc-on-signal.cjs). */
interface GcReport {
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
  at: number;
}

async function forceGc(pid: number): Promise<GcReport> {
  const file = join(gcReportDir, `${pid}.json`);
  const asked = Date.now();
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 250; i++) {
    await sleep(20);
    try {
      const report = JSON.parse(readFileSync(file, 'utf8')) as GcReport;
      if (report.at >= asked) return report;
    } catch {
      // not written yet
    }
  }
  throw new Error(`process ${pid} did not report a forced GC`);
}

async function main(): Promise<void> {
  const log = (m: string) => process.stdout.write(`${m}\n`);
  log(
    `soak: ${minutes} min, sampling every ${intervalMs / 1000} s, a forced full GC every ${gcIntervalMs / 1000} s; bounds on the retained memory: heap < ${heapBoundMiB} MiB/10 min, RSS < ${rssBoundMiB} MiB/10 min after ${warmupFraction * 100}% warm-up`,
  );
  gcReportDir = mkdtempSync(join(tmpdir(), 'recsys-soak-gc-'));
  const fs = await startFaultStack({
    name: 'soak',
    basePort,
    pgPort,
    env: {
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: [process.env.NODE_OPTIONS, '--expose-gc', `--require ${join(here, 'gc-on-signal.cjs')}`]
        .filter(Boolean)
        .join(' '),
      SOAK_GC_REPORT_DIR: gcReportDir,
    },
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
    let lastWindow = started;
    let lastGc = started;
    const sampleAll = async (t: number) => {
      for (const service of SERVICE_NAMES) {
        const heap = await heapOf(fs.urls[service]).catch(() => ({
          used: NaN,
          total: NaN,
          external: NaN,
          majorGcs: NaN,
        }));
        memory.push({
          t,
          service,
          rssBytes: rssOf(pids[service]),
          heapUsedBytes: heap.used,
          heapTotalBytes: heap.total,
          externalBytes: heap.external,
          majorGcs: heap.majorGcs,
        });
      }
    };
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
      if (Date.now() - lastGc >= gcIntervalMs) {
        lastGc = Date.now();
        const t = (Date.now() - started) / 1000;
        for (const service of SERVICE_NAMES) {
          const report = await forceGc(pids[service]).catch(() => undefined);
          if (report)
            memory.push({
              t,
              service,
              rssBytes: report.rss,
              heapUsedBytes: report.heapUsed,
              heapTotalBytes: report.heapTotal,
              externalBytes: report.external,
              afterGc: true,
            });
        }
      }
      const t = (Date.now() - started) / 1000;
      await sampleAll(t);
      if (Date.now() - lastWindow < windowMs && Date.now() < end) continue;
      lastWindow = Date.now();
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
        recommend: {
          total: recStats.total,
          byStatus: recStats.byStatus,
          failures: recStats.failures,
          p50: recAll.p50,
          p99: recAll.p99,
        },
        events: {
          total: evStats.total,
          byStatus: evStats.byStatus,
          failures: evStats.failures,
          p50: evAll.p50,
          p99: evAll.p99,
        },
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
      `recommend: ${recStats.total} requests ${JSON.stringify(recStats.byStatus)} p50 ${recAll.p50.toFixed(1)} ms p99 ${recAll.p99.toFixed(1)} ms; failures ${JSON.stringify(recStats.failures)}`,
    );
    log(
      `events:    ${evStats.total} batches of 20 ${JSON.stringify(evStats.byStatus)} p50 ${evAll.p50.toFixed(1)} ms p99 ${evAll.p99.toFixed(1)} ms; failures ${JSON.stringify(evStats.failures)}`,
    );
    for (const s of perService) {
      log(
        `${s.pass ? 'PASS' : 'FAIL'} ${s.service} (${s.criterion}): RSS ${s.rssStartMiB.toFixed(1)} → ${s.rssEndMiB.toFixed(1)} MiB; retained heap after full GC ${s.retainedHeapSlopeMiBPer10Min} MiB/10 min (${s.retainedHeapMiB.join(', ')} MiB); RSS peak ${s.rssPeakSlopeMiBPer10Min} MiB/10 min (${s.rssPeakMiBPerMinute.join(', ')} MiB); RSS after full GC ${s.retainedRssSlopeMiBPer10Min} MiB/10 min; heap reserved peak per minute ${s.heapTotalPeakMiBPerMinute.join(', ')} MiB; external after full GC ${s.externalAfterGcMiB.join(', ')} MiB; floor slope RSS ${s.rssFloorSlopeMiBPer10Min}, heap ${s.heapFloorSlopeMiBPer10Min} MiB/10 min (raw RSS ${s.rssRawSlopeMiBPer10Min}, raw heap ${s.heapRawSlopeMiBPer10Min}; ${s.samples} samples, ${s.majorGcs} major GCs after warm-up; heap floor per minute ${s.heapFloorMiBPerMinute.join(', ')} MiB)`,
      );
    }
    log(`soak ${pass ? 'PASSED' : 'FAILED'} (results/soak.json)`);
    exitCode = pass ? 0 : 1;
  } finally {
    await fs.stop();
    rmSync(gcReportDir, { recursive: true, force: true });
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
      `${s.pass ? 'PASS' : 'FAIL'} ${s.service} (${s.criterion}): retained heap after full GC ${s.retainedHeapSlopeMiBPer10Min} MiB/10 min (${s.retainedHeapMiB.join(', ')} MiB); RSS peak ${s.rssPeakSlopeMiBPer10Min} MiB/10 min (${s.rssPeakMiBPerMinute.join(', ')} MiB); RSS after full GC ${s.retainedRssSlopeMiBPer10Min} MiB/10 min; heap reserved peak per minute ${s.heapTotalPeakMiBPerMinute.join(', ')} MiB; external after full GC ${s.externalAfterGcMiB.join(', ')} MiB; floor slope RSS ${s.rssFloorSlopeMiBPer10Min}, heap ${s.heapFloorSlopeMiBPer10Min} MiB/10 min (raw RSS ${s.rssRawSlopeMiBPer10Min}, raw heap ${s.heapRawSlopeMiBPer10Min}; ${s.majorGcs} major GCs; heap floor per minute ${s.heapFloorMiBPerMinute.join(', ')} MiB)\n`,
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

/**
 * Publisher benchmark (not a test): the Online Retail training window end to end, then synthetic sets of the
 * same shape at larger scales, with wall time and peak RSS per stage.
 *
 *   pnpm --filter @recsys/publisher bench -- [--scales 1,10,100] [--ease-items 4000] [--skip-retail]
 *     [--counter-memory-mb N] [--out file.json]
 *
 * Each scale runs in its own child process so peak RSS is not inherited from the previous one. Stages: read
 * (parse or generate + accumulate), build (all artifacts, EASE included), validate, stage (serialize to spool
 * files + write objects to a file:// store + read-back verification), evaluate (gate with the built-in scorer
 * on a 14-day holdout, Online Retail only), publish (pointer move); build, validate and stage alternate per
 * artifact and are summed. Publishing uses the file store and an in-process lock; no Postgres, Redis or
 * serving is needed. The synthetic sets are generated as a stream in time order (synthetic.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@recsys/platform/logger';
import { FileStore } from '../src/adapters/file-store.js';
import { DAY_MS } from '../src/domain/events.js';
import { readOnlineRetail } from '../src/domain/input/readers.js';
import { ALL_KINDS, runPipeline, type RunResult } from '../src/domain/pipeline.js';
import { syntheticRetail } from './synthetic.js';

const RETAIL = new URL('../../../../shared/datasets/online-retail/online-retail.csv.gz', import.meta.url)
  .pathname;

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    scales: { type: 'string', default: '1,10' },
    'ease-items': { type: 'string', default: '4000' },
    'skip-retail': { type: 'boolean', default: false },
    'counter-memory-mb': { type: 'string' },
    // V8 old-space limit of each set's process (MiB).
    'heap-mb': { type: 'string', default: '8192' },
    out: { type: 'string' },
    child: { type: 'string' },
  },
});

async function runOne(kind: string): Promise<RunResult & { totalSeconds: number; events: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'publisher-bench-'));
  const retail = kind === 'retail';
  const scale = retail ? 1 : Number(kind.replace('synthetic-', ''));
  const started = performance.now();
  let events = 0;
  try {
    const result = await runPipeline(
      {
        logger: createLogger('publisher-bench', process.env.BENCH_LOG_LEVEL ?? 'warn'),
        publisherVersion: 'bench',
        openInput: () => {
          const source = retail ? readOnlineRetail(RETAIL) : syntheticRetail({ scale });
          return (async function* () {
            for await (const record of source) {
              if (record.kind === 'event') events++;
              yield record;
            }
          })();
        },
        store: new FileStore(join(dir, 'store')),
        emit: async () => undefined,
        withLock: (_t, _s, fn) => fn(),
        stage: () => ({ start() {}, tick() {}, end() {} }),
        now: () => new Date(),
        writer: 'bench',
      },
      {
        tenant: 'retail',
        surface: 'home',
        segment: 'default',
        window: retail
          ? { start: Date.parse('2010-12-01T00:00:00Z'), end: Date.parse('2011-11-09T00:00:00Z') }
          : {
              start: Date.parse('2010-12-01T00:00:00Z'),
              end: Date.parse('2010-12-01T00:00:00Z') + 343 * DAY_MS,
            },
        mode: 'artifact',
        publish: true,
        build: {
          kinds: ALL_KINDS,
          halfLifeMs: 14 * DAY_MS,
          topN: 50,
          minSupport: 1,
          easeLambda: 500,
          easeItems: Number(values['ease-items']),
          maxItems: 10_000_000,
          maxUsers: 50_000_000,
          maxPairs: 400_000_000,
          maxItemsPerUser: 100,
          maxPopularityItems: 10_000,
          maxMemoryBytes: 4 * 2 ** 30,
          ...(values['counter-memory-mb']
            ? { counterMemoryBytes: Number(values['counter-memory-mb']) * 2 ** 20 }
            : {}),
          maxArtifactBytes: 2 ** 31,
          sessionGapMs: 30 * 60_000,
          maxItemsPerSession: 200,
          userWindowMs: 7 * DAY_MS,
          userWindowItems: 20,
          userWindowWeight: 0.5,
        },
        gate: {
          enabled: retail,
          holdoutMs: 14 * DAY_MS,
          k: 20,
          tolerance: 0.02,
          metrics: ['recall', 'ndcg'],
          maxUsers: 2000,
          evaluator: 'local',
          concurrency: 1,
        },
      },
    );
    return { ...result, totalSeconds: (performance.now() - started) / 1000, events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.child) {
  const result = await runOne(values.child);
  process.stdout.write(
    JSON.stringify({
      set: values.child,
      status: result.status,
      events: result.events,
      total_seconds: Number(result.totalSeconds.toFixed(2)),
      total_cpu_seconds: Number((process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6).toFixed(2)),
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      load_average_end: loadavg().map((l) => Number(l.toFixed(2))),
      stages: result.stages.map((s) => ({
        name: s.name,
        seconds: Number(s.seconds.toFixed(2)),
        cpu_seconds: Number(s.cpuSeconds.toFixed(2)),
        peak_rss_mb: s.peakRssMb,
      })),
      counts: result.counts,
      input: result.input,
      bytes: Object.fromEntries(Object.entries(result.manifest.artifacts).map(([k, e]) => [k, e!.bytes])),
      sha256: Object.fromEntries(Object.entries(result.manifest.artifacts).map(([k, e]) => [k, e!.sha256])),
      gate: result.manifest.gate,
    }) + '\n',
  );
  process.exit(0);
}

const sets = [
  ...(values['skip-retail'] ? [] : ['retail']),
  ...values
    .scales!.split(',')
    .filter((s) => s !== '1' || values['skip-retail'])
    .map((s) => `synthetic-${s}`),
];
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memory_gb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  os: execFileSync('uname', ['-sr']).toString().trim(),
  load_average_at_start: loadavg().map((l) => Number(l.toFixed(2))),
};
const results: unknown[] = [];
for (const set of sets) {
  process.stderr.write(`running ${set} …\n`);
  const loadAtStart = loadavg().map((l) => Number(l.toFixed(2)));
  const child = spawnSync(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      `--max-old-space-size=${values['heap-mb']}`,
      new URL(import.meta.url).pathname,
      '--child',
      set,
      '--ease-items',
      values['ease-items']!,
      ...(values['counter-memory-mb'] ? ['--counter-memory-mb', values['counter-memory-mb']] : []),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    },
  );
  if (child.status !== 0) {
    results.push({ set, status: 'failed', exit_code: child.status, stderr: child.stderr.slice(-2000) });
    process.stderr.write(child.stderr.slice(-2000));
    continue;
  }
  // BENCH_LOG_LEVEL=info: the child's log lines (stage timings and RSS) go to stderr; the result is the one
  // line that names its set (a log line may be flushed after it).
  const lines = child.stdout.trim().split('\n');
  const resultAt = lines.findLastIndex((l) => l.startsWith(`{"set":`));
  if (process.env.BENCH_LOG_LEVEL) {
    process.stderr.write(lines.filter((_, i) => i !== resultAt).join('\n') + '\n');
  }
  const line = {
    ...JSON.parse(lines[resultAt]!),
    load_average_start: loadAtStart,
  };
  results.push(line);
  process.stderr.write(`${JSON.stringify(line)}\n`);
}
const report = {
  machine,
  command: `pnpm --filter @recsys/publisher bench -- ${process.argv
    .slice(2)
    .filter((a) => a !== '--')
    .join(' ')}`.trim(),
  results,
};
if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2));
process.stdout.write(JSON.stringify(report, null, 2) + '\n');

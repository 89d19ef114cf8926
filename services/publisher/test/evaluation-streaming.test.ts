/**
 * The evaluation commands stream their inputs: on a generated 200k-line exposure export (~140 MB) `offline` completes
 * with resident memory growing far less than the file it reads, and `experiment` runs in a process whose V8 heap is
 * capped well below the file's size (memory is bounded by request ids, units and items, see docs/evaluation.md).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { runEvalCommand } from '../src/evaluation/cli.js';

const LINES = 200_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

async function writeLines(path: string, count: number, line: (i: number) => string): Promise<void> {
  const stream = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    if (!stream.write(line(i) + '\n')) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

describe('eval on a large export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recsys-eval-stream-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when the exposure file has 200k lines, then offline and experiment complete in bounded memory', async () => {
    const exposures = join(dir, 'exposures.ndjson');
    const outcomes = join(dir, 'outcomes.ndjson');
    // Three items per exposure from a 5,000-item catalog, 64-character versions: ~700 bytes per line, ~140 MB.
    await writeLines(exposures, LINES, (i) =>
      JSON.stringify({
        kind: 'exposure',
        cursor: `cursor-${i.toString(36).padStart(12, '0')}`,
        v: 1,
        event_id: `req-${i}:recommend`,
        request_id: `req-${i}`,
        tenant_id: 'tenant-stream',
        surface: i % 3 ? 'home' : 'pdp',
        segment: `seg-${i % 4}`,
        endpoint: 'recommend',
        user_id: `u-${i % 50_000}`,
        occurred_at: new Date(T0 + i * 10_000).toISOString(),
        items: Array.from({ length: 3 }, (_, r) => ({
          item_id: `item-${(i * 7 + r * 13) % 5000}`,
          rank: r + 1,
          score: 1 - r / 10,
        })),
        algo_version: 'blend-v1',
        config_version: 'c'.repeat(64),
        rules_version: 'r'.repeat(64),
        signal_version: 's'.repeat(64),
        // Users u-k see only exposures i ≡ k (mod 50,000), so a user's variant (by the parity of i) never changes.
        experiment: { id: 'exp-stream', variant: i % 2 ? 'B' : 'A' },
        context: { locale: 'en-US', device: 'mobile', country: 'US' },
      }),
    );
    // One click on every tenth exposure, on its second item.
    await writeLines(outcomes, LINES / 10, (j) =>
      JSON.stringify({
        kind: 'outcome',
        event_id: `o-${j}`,
        tenant_id: 'tenant-stream',
        type: 'click',
        item_id: `item-${(j * 10 * 7 + 13) % 5000}`,
        request_id: `req-${j * 10}`,
        occurred_at: new Date(T0 + j * 100_000 + 5_000).toISOString(),
      }),
    );
    const fileBytes = (await stat(exposures)).size;
    expect(fileBytes).toBeGreaterThan(110 * 1024 * 1024);

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const out = join(dir, 'report');
    const lines: string[] = [];
    let code: number;
    try {
      code = await runEvalCommand(
        [
          'offline',
          '--exposures',
          exposures,
          '--outcomes',
          outcomes,
          '--k',
          '3',
          '--bootstrap',
          '20',
          '--out',
          out,
        ],
        {
          stdout: (s) => lines.push(s),
          stderr: (s) => lines.push(s),
        },
      );
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.counts.exposures).toBe(LINES);
    expect(report.counts.outcomes_joined).toBe(LINES / 10);
    // Each clicked exposure has exactly one relevant item at rank 2: hitrate@3 = 0.1, precision@3 = 0.1/3.
    expect(report.offline.global.metrics['hitrate@3']).toBeCloseTo(0.1, 10);
    expect(report.offline.global.metrics['precision@3']).toBeCloseTo(0.1 / 3, 10);
    const growthMb = (peak - before) / 1024 / 1024;
    // Reading the file whole would need more than its own size (~140 MB) in RSS; streaming stays well below.
    expect(growthMb).toBeLessThan(100);

    // `experiment` over the same export in its own process with a 64 MB heap: holding the file would abort it.
    const experimentOut = join(dir, 'experiment');
    const child = spawn(
      process.execPath,
      [
        '--max-old-space-size=64',
        '--conditions=source',
        '--import',
        'tsx',
        'src/cli.ts',
        'eval',
        'experiment',
        '--exposures',
        exposures,
        '--outcomes',
        outcomes,
        '--experiment',
        'exp-stream',
        '--split',
        'A=50,B=50',
        '--out',
        experimentOut,
      ],
      { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    // Every click falls on an even exposure (variant A): A's CTR is 0.2, B's 0 → the primary regresses: fail.
    expect({ exitCode, output: exitCode === 3 ? '' : output }).toEqual({ exitCode: 3, output: '' });
    const experiment = JSON.parse(await readFile(join(experimentOut, 'report.json'), 'utf8'));
    expect(experiment.experiment.assignment_source).toBe('exposures');
    expect(
      experiment.experiment.variants.map((v: any) => [v.name, v.assignments, v.exposures, v.clicks]),
    ).toEqual([
      ['A', 25_000, LINES / 2, LINES / 10],
      ['B', 25_000, LINES / 2, 0],
    ]);
    expect(experiment.experiment.srm.detected).toBe(false);
    expect(experiment.experiment.decision.decision).toBe('fail');
  }, 300_000);
});

/**
 * `eval offline` streams its inputs: on a generated 200k-line exposure export it completes with resident memory
 * growing far less than the file it reads (memory is bounded by request ids and items, see docs/evaluation.md).
 */
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

describe('eval offline on a large export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recsys-eval-stream-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when the exposure file has 200k lines, then offline completes with bounded RSS growth', async () => {
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
  }, 240_000);
});

/**
 * Micro-benchmark (not a test): CPU time per line of the bulk import's in-process work, without Postgres.
 * The lines go through importNdjson exactly as on the endpoint (cut into lines, JSON.parse, validation and
 * normalisation, COPY and outbox lines, the batch's buffers and per-line results); the store's commit
 * builds the COPY and outbox buffers and reports every row as accepted instead of writing them.
 *
 *   pnpm --filter @recsys/ingest exec node --conditions=source --import tsx bench/line-cpu.ts
 *
 * env: LINE_CPU_LINES (default 200000), LINE_CPU_ROUNDS (default 7), LINE_CPU_SHAPE = `retail` (the
 * outcome lines of bench/bulk-import.ts, with event ids; the default), `derived` (the same without event
 * ids, so ids are derived) or `mixed` (outcomes, assignments and exposures). Reports process CPU
 * (user + system) per line for each round and the median; compare runs on the same host one after another.
 */
import { Readable } from 'node:stream';
import { importNdjson } from '../src/domain/bulk.js';
import type { NormalizeContext } from '../src/domain/normalize.js';
import { WriteBatch, type EventStore, type ItemResult } from '../src/domain/store.js';

const LINES = Number(process.env.LINE_CPU_LINES ?? 200_000);
const ROUNDS = Number(process.env.LINE_CPU_ROUNDS ?? 7);
const SHAPE = process.env.LINE_CPU_SHAPE ?? 'retail';
const BASE = Date.parse('2010-12-01T08:26:00Z');

function line(i: number): Record<string, unknown> {
  const at = new Date(BASE + i * 61_000).toISOString().replace('.000Z', 'Z');
  const kind = SHAPE === 'mixed' ? ['outcome', 'assignment', 'exposure'][i % 3] : 'outcome';
  if (kind === 'assignment') {
    return {
      kind,
      experiment_id: 'exp-7',
      variant: i % 2 ? 'A' : 'B',
      user_id: `${12000 + (i % 4000)}`,
      occurred_at: at,
    };
  }
  if (kind === 'exposure') {
    return {
      kind,
      request_id: `req-${i}`,
      occurred_at: at,
      surface: 'home',
      user_id: `${12000 + (i % 4000)}`,
      algo_version: 'popularity-v1',
      items: [
        { item_id: `SKU${i % 900}`, rank: 1, score: 0.9 },
        { item_id: `SKU${(i + 1) % 900}`, rank: 2, score: 0.5, propensity: 0.25 },
      ],
      context: { locale: 'en-GB', device: 'mobile' },
    };
  }
  return {
    kind,
    ...(SHAPE === 'retail' ? { event_id: `online-retail:${i + 2}` } : {}),
    type: 'purchase',
    item_id: `SKU${(i * 7) % 3900}`,
    user_id: `${12000 + (i % 4000)}`,
    session_id: `${536365 + Math.floor(i / 20)}`,
    surface: 'home',
    value: Math.round(((i % 13) + 1) * 2.55 * 100) / 100,
    quantity: (i % 13) + 1,
    occurred_at: at,
  };
}

const body: Buffer[] = [];
for (let i = 0; i < LINES; i += 2000) {
  const part: string[] = [];
  for (let k = i; k < Math.min(i + 2000, LINES); k++) part.push(JSON.stringify(line(k)));
  body.push(Buffer.from(part.join('\n') + '\n'));
}

const store = {
  batch: (source: 'bulk') => new WriteBatch(source),
  async commit(batch: WriteBatch): Promise<ItemResult[]> {
    for (const part of batch.parts.values()) part.copy.toBuffer();
    if (batch.outboxRows.length) batch.outbox.toBuffer();
    const results: ItemResult[] = new Array(batch.size);
    for (const [index, { kind: _kind, ...result }] of batch.early) results[index] = result;
    for (const part of batch.parts.values()) {
      for (let i = 0; i < part.indexes.length; i++)
        results[part.indexes[i]!] = { status: 'accepted', event_id: part.eventIds[i]! };
    }
    return results;
  },
} as unknown as EventStore;

const context = (): NormalizeContext => ({
  tenantId: 'retail',
  salt: undefined,
  nowMs: Date.now(),
  maxFutureSkewMs: 300_000,
  retentionDays: 0,
});

const perLine: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const before = process.cpuUsage();
  const { summary } = await importNdjson(
    Readable.from(body),
    store,
    context,
    { chunkSize: 20_000, chunkBytes: 16 << 20, maxLineBytes: 1 << 20, errorsOnly: true },
    async () => undefined,
  );
  const used = process.cpuUsage(before);
  if (summary.accepted !== LINES) throw new Error(`accepted ${summary.accepted} of ${LINES}`);
  const us = (used.user + used.system) / LINES;
  perLine.push(us);
  console.log(`round ${round + 1}: ${us.toFixed(2)} µs CPU per line`);
}
const sorted = [...perLine].sort((a, b) => a - b);
console.log(
  `shape ${SHAPE}, ${LINES} lines × ${ROUNDS} rounds: median ${sorted[Math.floor(ROUNDS / 2)]!.toFixed(2)} µs CPU per line ` +
    `(min ${sorted[0]!.toFixed(2)}, node ${process.version})`,
);

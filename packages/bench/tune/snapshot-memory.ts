/**
 * What a signal snapshot really takes, next to serving's own accounting of it (`approxBytes`, the
 * recsys_signal_snapshot_bytes gauge): builds serving's snapshot from the Online Retail signals of the bench
 * database (tune/rank-inputs.ts) and from the synthetic artifacts of `pnpm bench` (100k items, 1M users), and
 * measures the V8 heap and the typed-array memory it holds after a full GC. Also prints how long the event loop
 * is held at most while serving loads it: the longest parse of one artifact (the DB-only source parses one per
 * turn) and the longest slice of the build (see services/serving/src/domain/ranking/slices.ts).
 *
 *   cd packages/bench && node --expose-gc --conditions=source --import tsx tune/snapshot-memory.ts
 */
import {
  snapshotSteps,
  type SnapshotArtifacts,
} from '../../../services/serving/src/domain/ranking/snapshot.js';
import { syntheticArtifacts } from '../src/synthetic.js';
import { loadRankInputs } from './rank-inputs.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap and array-buffer growth from building a snapshot of `artifacts` (JSON text per kind). */
function measure(name: string, artifacts: Record<string, string>): void {
  gc!();
  gc!();
  const before = process.memoryUsage();
  const started = performance.now();
  let longestParse = 0;
  let longestSlice = 0;
  let slices = 0;
  // Parsed and built in a frame of their own, so that nothing but the snapshot outlives them.
  const snapshot = (() => {
    const parsed: Record<string, unknown> = {};
    for (const [kind, text] of Object.entries(artifacts)) {
      const t0 = performance.now();
      parsed[kind] = JSON.parse(text);
      longestParse = Math.max(longestParse, performance.now() - t0);
    }
    const steps = snapshotSteps(
      { tenantId: 't', surface: 'home', segment: 'default', version: 'v' },
      parsed as SnapshotArtifacts,
    );
    for (;;) {
      const t0 = performance.now();
      const next = steps.next();
      longestSlice = Math.max(longestSlice, performance.now() - t0);
      slices++;
      if (next.done) return next.value;
    }
  })();
  const buildMs = performance.now() - started;
  gc!();
  gc!();
  const after = process.memoryUsage();
  const heap = after.heapUsed - before.heapUsed;
  const buffers = after.arrayBuffers - before.arrayBuffers;
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  console.log(
    `${name}: heap ${mb(heap)} + typed arrays ${mb(buffers)} = ${mb(heap + buffers)}; ` +
      `accounted ${mb(snapshot.approxBytes)} (${((100 * snapshot.approxBytes) / (heap + buffers)).toFixed(0)}% of measured); ` +
      `parsed and built in ${(buildMs / 1000).toFixed(1)} s; longest artifact parse ${longestParse.toFixed(0)} ms, ` +
      `longest of ${slices} build slices ${longestSlice.toFixed(0)} ms`,
  );
  // Kept alive until measured (a snapshot dropped before the second GC would not be counted).
  void snapshot.version;
}

const perKind = (artifacts: object): Record<string, string> =>
  Object.fromEntries(Object.entries(artifacts).map(([kind, doc]) => [kind, JSON.stringify(doc)]));

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc');
  const retail = await loadRankInputs();
  measure('Online Retail', perKind(retail.artifacts as object));
  // As serving receives them: parsed from JSON. The same shape again with 36-character (UUID-like) item ids,
  // which JSON.parse does not share.
  const shape = 'synthetic 100k items / 1M users (20 i2i neighbours per item, 3 history items per user)';
  for (const [ids, itemId] of [
    ['sku-<n> item ids', undefined],
    ['UUID-like item ids', (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`],
  ] as const) {
    const json = perKind(
      syntheticArtifacts({ items: 100_000, users: 1_000_000, ...(itemId ? { itemId } : {}) }),
    );
    measure(`${shape}, ${ids}`, json);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Artifact builders: pure functions from the accumulated counts to artifact documents. Each `write*` hands
 * its rows to a sink in stored order (sorted by id, so nothing has to be held to sort them) and returns the
 * head whose `build.params` records every parameter it used; each `build*` collects the same into a sealed
 * artifact (checksum set) in memory.
 */
import type {
  CatalogArtifact,
  CoocArtifact,
  ContentSimArtifact,
  I2iArtifact,
  ImplicitArtifact,
  PopularityArtifact,
  SessionSeqArtifact,
} from '@recsys/contracts-publisher';
import { DAY_MS, LimitError } from '../events.js';
import type { Accumulated } from './accumulate.js';
import { invertSpdInPlace } from './linalg.js';
import { WeightTable } from './weight-table.js';
import {
  collect,
  envelope,
  roundScore,
  topN,
  type ArtifactHead,
  type EnvelopeBase,
  type RowSink,
} from './envelope.js';

/** Hard ceiling on neighbours per item, whatever is asked for (artifact size grows linearly with it). */
export const MAX_NEIGHBOURS_CAP = 500;

export function assertTopN(topNValue: number): void {
  if (!Number.isInteger(topNValue) || topNValue < 1 || topNValue > MAX_NEIGHBOURS_CAP) {
    throw new LimitError(
      'max_neighbours',
      `top-N must be an integer in 1..${MAX_NEIGHBOURS_CAP}, got ${topNValue}`,
    );
  }
}

/**
 * Stands in for a counter table a builder has consumed when the caller asked it to release counters as it
 * goes (`release`), so an artifact's rows replace its counters in memory instead of adding to them.
 */
const RELEASED = new WeightTable();

const byId = (a: { item_id: string }, b: { item_id: string }) =>
  a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : 0;

const idOrders = new WeakMap<readonly string[], Int32Array>();

/** Indexes of `ids` in ascending id order (code unit order, as rows are stored); cached per array. */
export function idOrder(ids: readonly string[]): Int32Array {
  let order = idOrders.get(ids);
  if (!order) {
    order = Int32Array.from(ids.keys());
    order.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
    idOrders.set(ids, order);
  }
  return order;
}

type PopularityParams = { halfLifeMs: number; maxItems: number };

export function buildPopularity(
  acc: Accumulated,
  base: EnvelopeBase,
  params: PopularityParams,
): PopularityArtifact {
  return collect((sink) => writePopularity(acc, base, params, sink));
}

/** Popularity rows, best first (score desc, id asc). */
export function writePopularity(
  acc: Accumulated,
  base: EnvelopeBase,
  params: PopularityParams,
  sink: RowSink,
): ArtifactHead {
  const ranked = topN(
    acc.itemScore.map((score, idx) => [idx, score] as [number, number]),
    params.maxItems,
    (idx) => acc.itemIds[idx]!,
  );
  for (const { key, score } of ranked)
    sink({ item_id: acc.itemIds[key]!, score: roundScore(score), count: acc.itemEvents[key]! });
  return {
    ...envelope(
      base,
      'popularity',
      { half_life_days: params.halfLifeMs / DAY_MS, max_items: params.maxItems },
      { items: ranked.length, distinct_items: acc.itemIds.length, events: acc.stats.events },
    ),
    artifact_type: 'popularity',
  };
}

/**
 * Indices of the `n` largest positive values of `values`, best first (ties: name ascending), selected with a
 * bounded min-heap: O(len · log n) time, no allocation per entry.
 */
export function topPositive(values: Float64Array, n: number, names: readonly string[]): number[] {
  const heap = new Int32Array(n);
  let size = 0;
  // `worse(a, b)`: a ranks below b.
  const worse = (a: number, b: number) =>
    values[a]! < values[b]! || (values[a] === values[b] && names[a]! > names[b]!);
  const siftDown = (start: number) => {
    let k = start;
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let w = k;
      if (l < size && worse(heap[l]!, heap[w]!)) w = l;
      if (r < size && worse(heap[r]!, heap[w]!)) w = r;
      if (w === k) return;
      const t = heap[k]!;
      heap[k] = heap[w]!;
      heap[w] = t;
      k = w;
    }
  };
  for (let j = 0; j < values.length; j++) {
    if (!(values[j]! > 0)) continue;
    if (size < n) {
      let k = size++;
      heap[k] = j;
      while (k > 0) {
        const p = (k - 1) >> 1;
        if (!worse(heap[k]!, heap[p]!)) break;
        const t = heap[k]!;
        heap[k] = heap[p]!;
        heap[p] = t;
        k = p;
      }
    } else if (worse(heap[0]!, j)) {
      heap[0] = j;
      siftDown(0);
    }
  }
  return Array.from(heap.subarray(0, size)).sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}

/** Writes the top-n neighbours of each item of `rows` (which come in id order); rows left empty are skipped. */
function writeNeighbourRows(
  acc: Accumulated,
  rows: Iterable<[number, Iterable<[number, number]>]>,
  n: number,
  sink: RowSink,
): { items: number; edges: number } {
  let items = 0;
  let edges = 0;
  for (const [item, scores] of rows) {
    const top = topN(scores, n, (idx) => acc.itemIds[idx]!);
    if (!top.length) continue;
    items++;
    edges += top.length;
    sink({
      item_id: acc.itemIds[item]!,
      items: top.map(({ key, score }) => ({ item_id: acc.itemIds[key]!, score: roundScore(score) })),
    });
  }
  return { items, edges };
}

/**
 * Co-visitation: pair weights from baskets (each unordered pair of distinct items in a session counts 1)
 * and per-user windows (weight `userWindowWeight`), normalized by cosine: w(a,b) / √(n(a)·n(b)) with n the
 * item's event count. Pairs below `minSupport` are dropped; top-N per item.
 */
type CoocParams = { topN: number; minSupport: number; extra?: Record<string, unknown>; release?: boolean };

export function buildCooc(acc: Accumulated, base: EnvelopeBase, params: CoocParams): CoocArtifact {
  return collect((sink) => writeCooc(acc, base, params, sink));
}

export function writeCooc(
  acc: Accumulated,
  base: EnvelopeBase,
  params: CoocParams,
  sink: RowSink,
): ArtifactHead {
  assertTopN(params.topN);
  const order = idOrder(acc.itemIds);
  const rows = function* (): Generator<[number, Iterable<[number, number]>]> {
    for (const a of order) {
      const pairs = acc.pairs[a];
      if (!pairs?.size) continue;
      if (!pairs.size) continue;
      const na = acc.itemEvents[a]!;
      yield [
        a,
        (function* () {
          for (const [b, w] of pairs) {
            if (w < params.minSupport) continue;
            yield [b, w / Math.sqrt(na * acc.itemEvents[b]!)] as [number, number];
          }
        })(),
      ];
      // The row is consumed by now: its counters can go while the rest of the artifact is built.
      if (params.release) acc.pairs[a] = RELEASED;
    }
  };
  const { items, edges } = writeNeighbourRows(acc, rows(), params.topN, sink);
  return {
    ...envelope(
      base,
      'cooc',
      { top_n: params.topN, min_support: params.minSupport, normalization: 'cosine', ...params.extra },
      {
        items,
        edges,
        sessions: acc.stats.sessions,
        skipped_baskets: acc.stats.skippedBaskets,
        // Present only when the pair counters went over their budget (counts are then approximate).
        ...(acc.stats.prunedPairs ? { pruned_entries: acc.stats.prunedPairs } : {}),
      },
    ),
    artifact_type: 'cooc',
  };
}

/** Next-item transitions within sessions, normalized per source item: P(next = b | current = a). */
type SessionSeqParams = { topN: number; minSupport: number; release?: boolean };

export function buildSessionSeq(
  acc: Accumulated,
  base: EnvelopeBase,
  params: SessionSeqParams,
): SessionSeqArtifact {
  return collect((sink) => writeSessionSeq(acc, base, params, sink));
}

export function writeSessionSeq(
  acc: Accumulated,
  base: EnvelopeBase,
  params: SessionSeqParams,
  sink: RowSink,
): ArtifactHead {
  assertTopN(params.topN);
  const order = idOrder(acc.itemIds);
  const rows = function* (): Generator<[number, Iterable<[number, number]>]> {
    for (const a of order) {
      const next = acc.transitions[a];
      if (!next?.size) continue;
      // The exact total, also when the per-item counters were pruned to their strongest entries.
      const total = acc.transitionTotals[a]!;
      yield [
        a,
        (function* () {
          for (const [b, c] of next) if (c >= params.minSupport) yield [b, c / total] as [number, number];
        })(),
      ];
      if (params.release) acc.transitions[a] = RELEASED;
    }
  };
  const { items, edges } = writeNeighbourRows(acc, rows(), params.topN, sink);
  return {
    ...envelope(
      base,
      'session_seq',
      { top_n: params.topN, min_support: params.minSupport, normalization: 'transition_probability' },
      {
        items,
        edges,
        ...(acc.stats.prunedTransitions ? { pruned_entries: acc.stats.prunedTransitions } : {}),
      },
    ),
    artifact_type: 'session_seq',
  };
}

/** Each user's own decayed item scores ("buy again" and personal anchors), top `maxItemsPerUser`. */
type ImplicitParams = { maxItemsPerUser: number; halfLifeMs: number; release?: boolean };

export function buildImplicit(
  acc: Accumulated,
  base: EnvelopeBase,
  params: ImplicitParams,
): ImplicitArtifact {
  return collect((sink) => writeImplicit(acc, base, params, sink));
}

export function writeImplicit(
  acc: Accumulated,
  base: EnvelopeBase,
  params: ImplicitParams,
  sink: RowSink,
): ArtifactHead {
  let users = 0;
  let entries = 0;
  for (const u of idOrder(acc.userIds)) {
    const top = topN(acc.userItems[u]!, params.maxItemsPerUser, (idx) => acc.itemIds[idx]!);
    if (params.release) acc.userItems[u] = RELEASED;
    if (!top.length) continue;
    users++;
    entries += top.length;
    sink({
      user_id: acc.userIds[u]!,
      items: top.map(({ key, score }) => ({ item_id: acc.itemIds[key]!, score: roundScore(score) })),
    });
  }
  return {
    ...envelope(
      base,
      'implicit',
      { max_items_per_user: params.maxItemsPerUser, half_life_days: params.halfLifeMs / DAY_MS },
      { users, entries },
    ),
    artifact_type: 'implicit',
  };
}

export function buildCatalog(
  acc: Accumulated,
  base: EnvelopeBase,
  params: { maxItems: number },
): CatalogArtifact {
  return collect((sink) => writeCatalog(acc, base, params, sink));
}

export function writeCatalog(
  acc: Accumulated,
  base: EnvelopeBase,
  params: { maxItems: number },
  sink: RowSink,
): ArtifactHead {
  if (acc.catalog.size > params.maxItems) {
    throw new LimitError('max_items', `catalog has ${acc.catalog.size} items, more than ${params.maxItems}`);
  }
  const items = [...acc.catalog.values()]
    .map((item) => ({
      item_id: item.itemId,
      ...(item.title !== undefined ? { title: item.title } : {}),
      tags: item.tags,
      ...(item.price !== undefined ? { price: item.price } : {}),
      available: item.available,
      ...(item.createdAt !== undefined ? { created_at: item.createdAt } : {}),
    }))
    .sort(byId);
  for (const item of items) sink(item);
  return {
    ...envelope(base, 'catalog', { max_items: params.maxItems }, { items: items.length }),
    artifact_type: 'catalog',
  };
}

/** Tags per item for content similarity (serving builds the inverted index); tagless items are left out. */
export function buildContentSim(acc: Accumulated, base: EnvelopeBase): ContentSimArtifact {
  return collect((sink) => writeContentSim(acc, base, sink));
}

export function writeContentSim(acc: Accumulated, base: EnvelopeBase, sink: RowSink): ArtifactHead {
  const items = [...acc.catalog.values()]
    .filter((item) => item.tags.length > 0)
    .map((item) => ({
      item_id: item.itemId,
      tags: [...new Set(item.tags.map((t) => t.toLowerCase()))].sort(),
    }))
    .sort(byId);
  const tags = new Set<string>();
  for (const item of items) {
    for (const tag of item.tags) tags.add(tag);
    sink(item);
  }
  return {
    ...envelope(
      base,
      'content_sim',
      { tags: 'catalog tags, lower-cased, deduplicated' },
      {
        items: items.length,
        distinct_tags: tags.size,
      },
    ),
    artifact_type: 'content_sim',
  };
}

export interface EaseParams {
  lambda: number;
  /** Items modelled: the M most frequent by distinct users. */
  maxItems: number;
  topN: number;
  /** Refuse when the two dense M×M matrices would need more than this. */
  maxMemoryBytes: number;
  onProgress?: (fraction: number) => void;
}

/** Bytes EASE needs for M items: the Gram/inverse matrix and the Cholesky scratch, 8 bytes per cell. */
export function easeMemoryBytes(m: number): number {
  return 2 * m * m * 8;
}

/**
 * EASE (Steck 2019): B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, X the binary user × item matrix over the
 * M most frequent items; B[i][j] (i ≠ j) is how much having i predicts j. Neighbours of i: the top-N
 * positive B[i][j].
 */
export function buildEase(acc: Accumulated, base: EnvelopeBase, params: EaseParams): I2iArtifact {
  return collect((sink) => writeEase(acc, base, params, sink));
}

export function writeEase(
  acc: Accumulated,
  base: EnvelopeBase,
  params: EaseParams,
  sink: RowSink,
): ArtifactHead {
  assertTopN(params.topN);
  if (!(params.lambda > 0))
    throw new LimitError('ease_lambda', `EASE λ must be positive, got ${params.lambda}`);
  // Frequency = distinct users per item.
  const users = new Array<number>(acc.itemIds.length).fill(0);
  for (const items of acc.userItems) for (const item of items.keys()) users[item]!++;
  const chosen = users
    .map((count, idx) => ({ idx, count }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count || (acc.itemIds[a.idx]! < acc.itemIds[b.idx]! ? -1 : 1))
    .slice(0, params.maxItems)
    .map((x) => x.idx);
  const m = chosen.length;
  const bytes = easeMemoryBytes(m);
  if (bytes > params.maxMemoryBytes) {
    throw new LimitError(
      'max_memory',
      `EASE over ${m} items needs ${Math.ceil(bytes / 2 ** 20)} MiB, above the limit of ${Math.floor(
        params.maxMemoryBytes / 2 ** 20,
      )} MiB; lower --ease-items or raise PUBLISHER_MAX_MEMORY_MB`,
    );
  }
  const column = new Map<number, number>();
  chosen.forEach((idx, col) => column.set(idx, col));
  const g = new Float64Array(m * m);
  const cols: number[] = [];
  for (const items of acc.userItems) {
    cols.length = 0;
    for (const item of items.keys()) {
      const c = column.get(item);
      if (c !== undefined) cols.push(c);
    }
    for (let x = 0; x < cols.length; x++) {
      const row = cols[x]! * m;
      for (let y = 0; y < cols.length; y++) g[row + cols[y]!]! += 1;
    }
  }
  for (let i = 0; i < m; i++) g[i * m + i]! += params.lambda;
  invertSpdInPlace(g, m, params.onProgress);
  // Row i of B: B[i][j] = −P[i][j] / P[j][j] (j ≠ i); keep the top-N positive entries with a bounded heap.
  const names = chosen.map((idx) => acc.itemIds[idx]!);
  const invDiag = new Float64Array(m);
  for (let j = 0; j < m; j++) invDiag[j] = 1 / g[j * m + j]!;
  const row = new Float64Array(m);
  let items = 0;
  let edges = 0;
  for (const i of idOrder(names)) {
    for (let j = 0; j < m; j++) row[j] = j === i ? 0 : -g[i * m + j]! * invDiag[j]!;
    const top = topPositive(row, params.topN, names);
    if (!top.length) continue;
    items++;
    edges += top.length;
    sink({
      item_id: names[i]!,
      items: top.map((j) => ({ item_id: names[j]!, score: roundScore(row[j]!) })),
    });
  }
  return {
    ...envelope(
      base,
      'i2i',
      { model: 'ease', lambda: params.lambda, max_items: params.maxItems, top_n: params.topN },
      { items, edges, modelled_items: m, users: acc.userIds.length },
    ),
    artifact_type: 'i2i',
  };
}

/**
 * Turns publisher artifact documents into the in-memory SignalSnapshot the ranking engine reads.
 * Pure: used by both DB-only mode (artifacts from the bulk-load endpoint) and artifact mode (from manifests).
 */
import type {
  CatalogArtifact,
  ContentSimArtifact,
  CoocArtifact,
  I2iArtifact,
  ImplicitArtifact,
  PopularityArtifact,
  SessionSeqArtifact,
} from '@recsys/contracts-publisher';
import { denseSignals } from './dense.js';
import type { CatalogItem, Neighbour, SignalSnapshot } from './types.js';

/** Artifacts by kind (keys are the publisher's ArtifactKind values); every one is optional. */
export interface SnapshotArtifacts {
  popularity?: Pick<PopularityArtifact, 'items'>;
  cooc?: Pick<CoocArtifact, 'neighbors'>;
  i2i?: Pick<I2iArtifact, 'neighbors'>;
  session_seq?: Pick<SessionSeqArtifact, 'neighbors'>;
  content_sim?: Pick<ContentSimArtifact, 'items'>;
  implicit?: Pick<ImplicitArtifact, 'users'>;
  catalog?: Pick<CatalogArtifact, 'items'>;
}

export interface SnapshotMeta {
  tenantId: string;
  surface: string;
  segment: string;
  version: string;
}

export interface SnapshotOptions {
  /** Neighbours kept per item and source (default 100). */
  maxNeighbours?: number;
  /** History items kept per user (default 200). */
  maxHistory?: number;
}

const DEFAULT_MAX_NEIGHBOURS = 100;
const DEFAULT_MAX_HISTORY = 200;

/** Total order used everywhere: score desc, then item id asc (UTF-16 code unit order). */
export function byScoreThenId(a: Neighbour, b: Neighbour): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0;
}

export function normalizeTags(tags: readonly string[] | undefined): string[] {
  if (!tags) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of tags) {
    const v = t.trim().toLowerCase();
    if (v.length === 0 || seen.has(v)) continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

/**
 * Sorted, de-duplicated (max score kept), self-free, positive-score neighbour list capped at `max`.
 */
function cleanNeighbours(
  owner: string,
  items: readonly { item_id: string; score: number }[],
  max: number,
): Neighbour[] {
  const best = new Map<string, number>();
  for (const n of items) {
    if (n.item_id === owner || !(n.score > 0) || !Number.isFinite(n.score)) continue;
    const prev = best.get(n.item_id);
    if (prev === undefined || n.score > prev) best.set(n.item_id, n.score);
  }
  const list: Neighbour[] = [];
  for (const [itemId, score] of best) list.push({ itemId, score });
  list.sort(byScoreThenId);
  if (list.length > max) list.length = max;
  return list;
}

function neighbourMap(
  doc:
    | { neighbors: readonly { item_id: string; items: readonly { item_id: string; score: number }[] }[] }
    | undefined,
  max: number,
): Map<string, Neighbour[]> {
  const out = new Map<string, Neighbour[]>();
  if (!doc) return out;
  for (const row of doc.neighbors) {
    const prev = out.get(row.item_id);
    const merged = prev
      ? [...prev.map((n) => ({ item_id: n.itemId, score: n.score })), ...row.items]
      : row.items;
    const list = cleanNeighbours(row.item_id, merged, max);
    if (list.length > 0) out.set(row.item_id, list);
  }
  return out;
}

const STRING_OVERHEAD = 32;
const ENTRY_OVERHEAD = 48;
const NEIGHBOUR_BYTES = 40;

function strBytes(s: string): number {
  return STRING_OVERHEAD + s.length * 2;
}

function neighbourBytes(map: Map<string, Neighbour[]>): number {
  let bytes = 0;
  for (const [k, list] of map)
    bytes += ENTRY_OVERHEAD + strBytes(k) + 16 + list.length * (NEIGHBOUR_BYTES + 8);
  return bytes;
}

/**
 * Builds a snapshot. Popularity uses the artifact's (time-decayed) `score`, falling back to `count` when the
 * score is not positive; neighbour lists are sorted score desc / id asc, de-duplicated, self-free and capped;
 * catalog entries win over content_sim tags (content_sim only adds tags for items the catalog lacks or leaves
 * untagged); tags are trimmed, lower-cased, de-duplicated; the tag index lists available items per tag ordered
 * by popularity desc then id asc (so truncating a list keeps the most popular items). `approxBytes` is an
 * estimate of V8 heap use (strings at 2 bytes/char plus per-object overheads), good to a factor of ~1.5.
 */
export function buildSnapshot(
  meta: SnapshotMeta,
  artifacts: SnapshotArtifacts,
  options: SnapshotOptions = {},
): SignalSnapshot {
  const maxNeighbours = options.maxNeighbours ?? DEFAULT_MAX_NEIGHBOURS;
  const maxHistory = options.maxHistory ?? DEFAULT_MAX_HISTORY;

  const popularity = new Map<string, number>();
  for (const row of artifacts.popularity?.items ?? []) {
    const s = row.score > 0 && Number.isFinite(row.score) ? row.score : row.count;
    if (!(s > 0)) continue;
    popularity.set(row.item_id, Math.max(s, popularity.get(row.item_id) ?? 0));
  }

  const catalog = new Map<string, CatalogItem>();
  for (const row of artifacts.catalog?.items ?? []) {
    const item: CatalogItem = {
      itemId: row.item_id,
      tags: normalizeTags(row.tags),
      available: row.available !== false,
    };
    if (row.title !== undefined) item.title = row.title;
    if (row.price !== undefined) item.price = row.price;
    if (row.created_at !== undefined) item.createdAt = row.created_at;
    catalog.set(row.item_id, item);
  }
  for (const row of artifacts.content_sim?.items ?? []) {
    const tags = normalizeTags(row.tags);
    const existing = catalog.get(row.item_id);
    if (!existing) catalog.set(row.item_id, { itemId: row.item_id, tags, available: true });
    else if (existing.tags.length === 0) existing.tags = tags;
  }

  // Unavailable items never rank, so they are dropped from popularity up front.
  for (const [id, item] of catalog) if (!item.available) popularity.delete(id);
  const popularityRanked = [...popularity.entries()]
    .map(([itemId, score]) => ({ itemId, score }))
    .sort(byScoreThenId)
    .map((n) => n.itemId);

  const tagLists = new Map<string, string[]>();
  for (const item of catalog.values()) {
    if (!item.available) continue;
    for (const t of item.tags) {
      let list = tagLists.get(t);
      if (!list) tagLists.set(t, (list = []));
      list.push(item.itemId);
    }
  }
  const tagIndex = new Map<string, string[]>();
  for (const tag of [...tagLists.keys()].sort()) {
    const list = tagLists.get(tag)!;
    list.sort((a, b) => {
      const pa = popularity.get(a) ?? 0;
      const pb = popularity.get(b) ?? 0;
      if (pa !== pb) return pb - pa;
      return a < b ? -1 : a > b ? 1 : 0;
    });
    tagIndex.set(tag, list);
  }

  const userHistory = new Map<string, Neighbour[]>();
  for (const row of artifacts.implicit?.users ?? []) {
    const prev = userHistory.get(row.user_id);
    const sums = new Map<string, number>();
    for (const n of prev ?? []) sums.set(n.itemId, n.score);
    for (const n of row.items) {
      if (!(n.score > 0) || !Number.isFinite(n.score)) continue;
      sums.set(n.item_id, (sums.get(n.item_id) ?? 0) + n.score);
    }
    const list = [...sums.entries()].map(([itemId, score]) => ({ itemId, score })).sort(byScoreThenId);
    if (list.length > maxHistory) list.length = maxHistory;
    if (list.length > 0) userHistory.set(row.user_id, list);
  }

  const cooc = neighbourMap(artifacts.cooc, maxNeighbours);
  const i2i = neighbourMap(artifacts.i2i, maxNeighbours);
  const sessionNext = neighbourMap(artifacts.session_seq, maxNeighbours);

  let approxBytes = 0;
  for (const k of popularity.keys()) approxBytes += ENTRY_OVERHEAD + strBytes(k) + 8 + 8;
  approxBytes +=
    neighbourBytes(cooc) + neighbourBytes(i2i) + neighbourBytes(sessionNext) + neighbourBytes(userHistory);
  for (const item of catalog.values()) {
    approxBytes += ENTRY_OVERHEAD + 64 + strBytes(item.itemId) + (item.title ? strBytes(item.title) : 0);
    for (const t of item.tags) approxBytes += 8 + strBytes(t);
  }
  for (const [tag, list] of tagIndex) approxBytes += ENTRY_OVERHEAD + strBytes(tag) + 16 + list.length * 8;

  const snapshot: SignalSnapshot = {
    tenantId: meta.tenantId,
    surface: meta.surface,
    segment: meta.segment,
    version: meta.version,
    popularity,
    popularityRanked,
    cooc,
    i2i,
    sessionNext,
    userHistory,
    catalog,
    tagIndex,
    approxBytes,
  };
  // The ranking engine's integer-indexed copy is built now, at load, rather than on the first request.
  snapshot.approxBytes += denseSignals(snapshot).bytes;
  return snapshot;
}

/** An empty snapshot (no signals), e.g. for a tenant with nothing published yet. */
export function emptySnapshot(meta: SnapshotMeta): SignalSnapshot {
  return buildSnapshot(meta, {});
}

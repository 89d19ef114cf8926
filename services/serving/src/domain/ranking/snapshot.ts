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
import { denseSteps } from './dense.js';
import { byScoreThenId } from './order.js';
import { userProfileSteps } from './profiles.js';
import { runToEnd, WorkBudget, type Steps } from './slices.js';
import type { CatalogItem, Neighbour, SignalSnapshot } from './types.js';

export { byScoreThenId };

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
  /** Bytes of user profiles (profiles.ts) to build; 0 builds none (default DEFAULT_PROFILE_BYTES). */
  userProfileBytes?: number;
}

const DEFAULT_MAX_NEIGHBOURS = 100;
const DEFAULT_MAX_HISTORY = 200;

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
  intern: Intern,
): Neighbour[] {
  const best = new Map<string, number>();
  for (const n of items) {
    if (n.item_id === owner || !(n.score > 0) || !Number.isFinite(n.score)) continue;
    const prev = best.get(n.item_id);
    if (prev === undefined || n.score > prev) best.set(n.item_id, n.score);
  }
  const list: Neighbour[] = [];
  for (const [itemId, score] of best) list.push({ itemId: intern(itemId), score });
  list.sort(byScoreThenId);
  if (list.length > max) list.length = max;
  return list;
}

function* neighbourMap(
  doc:
    | { neighbors: readonly { item_id: string; items: readonly { item_id: string; score: number }[] }[] }
    | undefined,
  max: number,
  intern: Intern,
  budget: WorkBudget,
): Steps<Map<string, Neighbour[]>> {
  const out = new Map<string, Neighbour[]>();
  if (!doc) return out;
  for (const row of doc.neighbors) {
    const prev = out.get(row.item_id);
    const merged = prev
      ? [...prev.map((n) => ({ item_id: n.itemId, score: n.score })), ...row.items]
      : row.items;
    const list = cleanNeighbours(row.item_id, merged, max, intern);
    if (list.length > 0) out.set(intern(row.item_id), list);
    if (budget.spend(merged.length + 1)) yield;
  }
  return out;
}

/**
 * One string per distinct id or tag for the whole snapshot. V8's JSON.parse already shares strings of up to
 * SHARED_BY_JSON_PARSE characters; longer ones arrive as a copy per occurrence (a UUID item id in a million
 * neighbour lists would be a million strings), so those are looked up here. `bytes` counts those long strings;
 * the short ones are counted once per id of the dense index and tag of the tag index.
 */
type Intern = (s: string) => string;
const SHARED_BY_JSON_PARSE = 10;

function interner(): { intern: Intern; bytes: () => number } {
  const long = new Map<string, string>();
  return {
    intern: (s) => {
      if (s.length <= SHARED_BY_JSON_PARSE) return s;
      const known = long.get(s);
      if (known !== undefined) return known;
      long.set(s, s);
      return s;
    },
    bytes: () => {
      let bytes = 0;
      for (const s of long.keys()) bytes += strBytes(s);
      return bytes;
    },
  };
}

// Sizes behind `approxBytes`, as V8 lays objects out on 64-bit Node (8-byte pointers, no pointer compression).
const WORD = 8;
/** A plain object's map, properties and elements words. */
const OBJECT_HEADER = 3 * WORD;
/** A number that is not a small integer is a separate 16-byte heap number. */
const HEAP_NUMBER = 16;
/** An array: the JSArray (map, properties, elements, length) and its backing store's map and length. */
const ARRAY_HEADER = 6 * WORD;
/** A Map entry: key, value and chain words plus its share of the bucket table, at a typical fill. */
const MAP_ENTRY = 5 * WORD;

function roundUp(bytes: number): number {
  return Math.ceil(bytes / WORD) * WORD;
}

/** A sequential string: map, hash and length (16 bytes), then one byte per Latin-1 character, else two. */
function strBytes(s: string): number {
  // eslint-disable-next-line no-control-regex
  return roundUp(16 + (/[^\u0000-\u00ff]/.test(s) ? 2 * s.length : s.length));
}

function numberBytes(v: number): number {
  return Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? 0 : HEAP_NUMBER;
}

/** A list of `{ itemId, score }` objects (the item id strings are the snapshot's shared ones). */
function listBytes(list: readonly Neighbour[]): number {
  let bytes = ARRAY_HEADER;
  for (const n of list) bytes += WORD + OBJECT_HEADER + 2 * WORD + numberBytes(n.score);
  return bytes;
}

/** Neighbour lists keyed by item id (shared strings). */
function neighbourBytes(map: Map<string, Neighbour[]>): number {
  let bytes = 0;
  for (const list of map.values()) bytes += MAP_ENTRY + listBytes(list);
  return bytes;
}

/**
 * Builds a snapshot. Popularity uses the artifact's (time-decayed) `score`, falling back to `count` when the
 * score is not positive; neighbour lists are sorted score desc / id asc, de-duplicated, self-free and capped;
 * catalog entries win over content_sim tags (content_sim only adds tags for items the catalog lacks or leaves
 * untagged); tags are trimmed, lower-cased, de-duplicated; the tag index lists available items per tag ordered
 * by popularity desc then id asc (so truncating a list keeps the most popular items). `approxBytes` estimates
 * the memory the snapshot holds from V8's object layout (see the sizes above; a test holds it within 15% of
 * the measured heap).
 */
export function buildSnapshot(
  meta: SnapshotMeta,
  artifacts: SnapshotArtifacts,
  options: SnapshotOptions = {},
): SignalSnapshot {
  return runToEnd(snapshotSteps(meta, artifacts, options));
}

/** buildSnapshot in slices (see slices.ts): yields between slices, returns the snapshot. */
export function* snapshotSteps(
  meta: SnapshotMeta,
  artifacts: SnapshotArtifacts,
  options: SnapshotOptions = {},
): Steps<SignalSnapshot> {
  const budget = new WorkBudget();
  const maxNeighbours = options.maxNeighbours ?? DEFAULT_MAX_NEIGHBOURS;
  const maxHistory = options.maxHistory ?? DEFAULT_MAX_HISTORY;
  const strings = interner();
  const intern = strings.intern;
  const tagsOf = (tags: readonly string[] | undefined) => normalizeTags(tags).map(intern);

  const popularity = new Map<string, number>();
  for (const row of artifacts.popularity?.items ?? []) {
    const s = row.score > 0 && Number.isFinite(row.score) ? row.score : row.count;
    if (!(s > 0)) continue;
    popularity.set(intern(row.item_id), Math.max(s, popularity.get(row.item_id) ?? 0));
    if (budget.spend(1)) yield;
  }

  const catalog = new Map<string, CatalogItem>();
  for (const row of artifacts.catalog?.items ?? []) {
    const item: CatalogItem = {
      itemId: intern(row.item_id),
      tags: tagsOf(row.tags),
      available: row.available !== false,
    };
    if (row.title !== undefined) item.title = row.title;
    if (row.price !== undefined) item.price = row.price;
    if (row.created_at !== undefined) item.createdAt = row.created_at;
    catalog.set(item.itemId, item);
    if (budget.spend(1)) yield;
  }
  for (const row of artifacts.content_sim?.items ?? []) {
    const tags = tagsOf(row.tags);
    const existing = catalog.get(row.item_id);
    if (!existing) {
      const itemId = intern(row.item_id);
      catalog.set(itemId, { itemId, tags, available: true });
    } else if (existing.tags.length === 0) existing.tags = tags;
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
    const list = [...sums.entries()]
      .map(([itemId, score]) => ({ itemId: intern(itemId), score }))
      .sort(byScoreThenId);
    if (list.length > maxHistory) list.length = maxHistory;
    if (list.length > 0) userHistory.set(row.user_id, list);
    if (budget.spend(row.items.length + 1)) yield;
  }

  const cooc = yield* neighbourMap(artifacts.cooc, maxNeighbours, intern, budget);
  const i2i = yield* neighbourMap(artifacts.i2i, maxNeighbours, intern, budget);
  const sessionNext = yield* neighbourMap(artifacts.session_seq, maxNeighbours, intern, budget);

  // Each distinct long id and tag once (short ones below, see interner), then the structures that point at them.
  let approxBytes = strings.bytes();
  approxBytes += popularity.size * MAP_ENTRY;
  for (const score of popularity.values()) approxBytes += numberBytes(score);
  if (popularityRanked.length) approxBytes += ARRAY_HEADER + popularityRanked.length * WORD;
  approxBytes += neighbourBytes(cooc) + neighbourBytes(i2i) + neighbourBytes(sessionNext);
  for (const [user, list] of userHistory) {
    approxBytes += MAP_ENTRY + strBytes(user) + listBytes(list);
    if (budget.spend(list.length + 1)) yield;
  }
  for (const item of catalog.values()) {
    // itemId, tags, available and up to three optional fields.
    approxBytes += MAP_ENTRY + OBJECT_HEADER + 6 * WORD + ARRAY_HEADER + item.tags.length * WORD;
    if (item.title) approxBytes += strBytes(item.title);
    if (item.price !== undefined) approxBytes += numberBytes(item.price);
    if (item.createdAt) approxBytes += strBytes(item.createdAt);
  }
  for (const list of tagIndex.values()) approxBytes += MAP_ENTRY + ARRAY_HEADER + list.length * WORD;

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
    historyCanonical: true,
    catalog,
    tagIndex,
    approxBytes,
  };
  // The ranking engine's integer-indexed copy is built now, at load, rather than on the first request.
  const dense = yield* denseSteps(snapshot, budget);
  snapshot.approxBytes += dense.bytes;
  const profiles = yield* userProfileSteps(snapshot, budget, {
    ...(options.userProfileBytes !== undefined ? { maxBytes: options.userProfileBytes } : {}),
  });
  snapshot.approxBytes += profiles.bytes;
  for (const id of dense.ids) if (id.length <= SHARED_BY_JSON_PARSE) snapshot.approxBytes += strBytes(id);
  for (const tag of tagIndex.keys())
    if (tag.length <= SHARED_BY_JSON_PARSE) snapshot.approxBytes += strBytes(tag);
  return snapshot;
}

/** An empty snapshot (no signals), e.g. for a tenant with nothing published yet. */
export function emptySnapshot(meta: SnapshotMeta): SignalSnapshot {
  return buildSnapshot(meta, {});
}

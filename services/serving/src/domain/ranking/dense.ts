/**
 * Integer-indexed copies of a snapshot's popularity and neighbour lists, for the ranking engine's hot loop:
 * expanding up to a hundred history seeds into their co-visitation and i2i neighbours is tens of thousands of
 * additions per request, which string-keyed Maps of candidate objects made the dominant serving cost. Here the
 * additions go into reusable typed arrays; only the candidates that can still reach the list become objects.
 *
 * Built once per snapshot (snapshots are immutable apart from catalog availability, which the engine reads from
 * the catalog itself) and cached by snapshot identity.
 */
import { runToEnd, WorkBudget, type Steps } from './slices.js';
import type { Neighbour, SignalSnapshot } from './types.js';

/** Neighbour lists in compressed-row form: the neighbours of item i are entries start[i] … start[i + 1] − 1. */
export interface NeighbourRows {
  start: Int32Array;
  item: Int32Array;
  score: Float64Array;
}

export interface DenseSignals {
  /** Item id → dense index, over every item that has popularity or appears in a cooc / i2i list. */
  index: Map<string, number>;
  ids: string[];
  /** Popularity by dense index (0 when the item has none). */
  pop: Float64Array;
  cooc: NeighbourRows;
  i2i: NeighbourRows;
  session: NeighbourRows;
  /** Tag → dense indexes of its items, in the tag index's (popularity) order. */
  tagItems: Map<string, Int32Array>;
  /** Tag count per dense index, kept in step with live catalog updates (see catalogItemChanged). */
  tagCount: Uint16Array;
  /** Bumped by every live catalog update that changes an item's tags (user profiles' content sums go stale). */
  tagsEpoch: number;
  /** Bytes held by the typed arrays and the index (for the snapshot-size metric). */
  bytes: number;
}

const cache = new WeakMap<SignalSnapshot, DenseSignals>();

/** The seeding a user profile was computed with (rank.ts normalizes a config to these values). */
export interface ProfileKey {
  historySeeds: number;
  historySeedPower: number;
  perSeed: number;
  minPerSeed: number;
  fanout: number;
}

/**
 * A known user's history-seeded i2i sums, as rank() would compute them for a request without anchors or recent
 * items (see profiles.ts): the best sums, plus every sum of an item in the popularity fan-out or the user's
 * history. `dropped` is the largest sum left out (0 when none was).
 */
export interface UserProfile {
  items: Int32Array;
  i2i: Float64Array;
  dropped: number;
  /** Dense index of each of the user's history items, in the snapshot's order (-1 when not dense). */
  history: Int32Array;
  /**
   * The content sums of the user's top history items (rank.ts addContent), every index the expansion touched:
   * valid while the snapshot's tags are those of `tagsEpoch` (see catalogItemChanged).
   */
  contentItems: Int32Array;
  content: Float64Array;
  tagsEpoch: number;
}

export interface UserProfiles {
  key: ProfileKey;
  byUser: Map<string, UserProfile>;
  /** Bytes held (counted in the snapshot's size). */
  bytes: number;
}

const profileCache = new WeakMap<SignalSnapshot, UserProfiles>();

/** The user profiles built for `snapshot`, if any (see profiles.ts). */
export function userProfiles(snapshot: SignalSnapshot): UserProfiles | undefined {
  return profileCache.get(snapshot);
}

export function setUserProfiles(snapshot: SignalSnapshot, profiles: UserProfiles): void {
  profileCache.set(snapshot, profiles);
}

export function denseSignals(snapshot: SignalSnapshot): DenseSignals {
  return cache.get(snapshot) ?? runToEnd(denseSteps(snapshot, new WorkBudget()));
}

/** Builds (in slices, see slices.ts) and caches the dense signals of `snapshot`. */
export function* denseSteps(snapshot: SignalSnapshot, budget: WorkBudget): Steps<DenseSignals> {
  const cached = cache.get(snapshot);
  if (cached) return cached;
  const index = new Map<string, number>();
  const ids: string[] = [];
  const add = (id: string): void => {
    if (!index.has(id)) {
      index.set(id, ids.length);
      ids.push(id);
    }
  };
  // Popularity first, so that the dense index of the r-th most popular item is r.
  for (const id of snapshot.popularityRanked) add(id);
  for (const id of snapshot.catalog.keys()) add(id);
  for (const source of [snapshot.cooc, snapshot.i2i, snapshot.sessionNext]) {
    for (const [owner, list] of source) {
      add(owner);
      for (const n of list) add(n.itemId);
      if (budget.spend(list.length + 1)) yield;
    }
  }
  const pop = new Float64Array(ids.length);
  for (const [id, score] of snapshot.popularity) {
    const i = index.get(id);
    if (i !== undefined) pop[i] = score;
  }
  const cooc = yield* rows(snapshot.cooc, index, ids.length, budget);
  const i2i = yield* rows(snapshot.i2i, index, ids.length, budget);
  const session = yield* rows(snapshot.sessionNext, index, ids.length, budget);
  const tagItems = new Map<string, Int32Array>();
  let tagBytes = 0;
  for (const [tag, list] of snapshot.tagIndex) {
    const items = Int32Array.from(list, (id) => index.get(id)!);
    tagItems.set(tag, items);
    tagBytes += 48 + items.byteLength;
  }
  const tagCount = new Uint16Array(ids.length);
  for (const [id, item] of snapshot.catalog) tagCount[index.get(id)!] = Math.min(65535, item.tags.length);
  const rowBytes = (r: NeighbourRows) => r.start.byteLength + r.item.byteLength + r.score.byteLength;
  // Index entries: a Map slot and a pointer to the (already counted) id string.
  const bytes =
    ids.length === 0
      ? 0
      : pop.byteLength +
        rowBytes(cooc) +
        rowBytes(i2i) +
        rowBytes(session) +
        tagBytes +
        tagCount.byteLength +
        ids.length * (48 + 8);
  const dense = { index, ids, pop, cooc, i2i, session, tagItems, tagCount, tagsEpoch: 0, bytes };
  cache.set(snapshot, dense);
  return dense;
}

const unavailableCache = new WeakMap<SignalSnapshot, Set<string>>();

/**
 * The ids of the snapshot's catalog items marked unavailable (usually few or none): a lookup in this set is what
 * `catalog.get(id)?.available === false` answers, without probing the whole catalog's map for every candidate.
 * Built on first use, kept in step by catalogItemChanged.
 */
export function unavailableItems(snapshot: SignalSnapshot): ReadonlySet<string> {
  let ids = unavailableCache.get(snapshot);
  if (!ids) {
    ids = new Set();
    for (const [id, item] of snapshot.catalog) if (item.available === false) ids.add(id);
    unavailableCache.set(snapshot, ids);
  }
  return ids;
}

/**
 * Keeps the dense signals of a snapshot in step with a live catalog update of `itemId`, whose tags were
 * `previousTags`: the unavailable set, the tag count, and the epoch that tells user profiles their content sums
 * are stale.
 */
export function catalogItemChanged(
  snapshot: SignalSnapshot,
  itemId: string,
  previousTags: readonly string[],
): void {
  const unavailable = unavailableCache.get(snapshot);
  if (unavailable) {
    if (snapshot.catalog.get(itemId)?.available === false) unavailable.add(itemId);
    else unavailable.delete(itemId);
  }
  const dense = cache.get(snapshot);
  if (!dense) return;
  const tags = snapshot.catalog.get(itemId)?.tags ?? [];
  if (tags.length === previousTags.length && tags.every((t, j) => t === previousTags[j])) return;
  dense.tagsEpoch++;
  const i = dense.index.get(itemId);
  if (i !== undefined) dense.tagCount[i] = Math.min(65535, tags.length);
}

function* rows(
  source: Map<string, Neighbour[]>,
  index: Map<string, number>,
  n: number,
  budget: WorkBudget,
): Steps<NeighbourRows> {
  let total = 0;
  for (const list of source.values()) total += list.length;
  const start = new Int32Array(n + 1);
  const item = new Int32Array(total);
  const score = new Float64Array(total);
  let at = 0;
  // Rows are laid out in dense-index order so that start[] is monotone.
  const byIndex: (Neighbour[] | undefined)[] = new Array(n);
  for (const [owner, list] of source) byIndex[index.get(owner)!] = list;
  for (let i = 0; i < n; i++) {
    start[i] = at;
    const list = byIndex[i];
    if (!list) continue;
    for (const nb of list) {
      item[at] = index.get(nb.itemId)!;
      score[at] = nb.score;
      at++;
    }
    if (budget.spend(list.length + 1)) yield;
  }
  start[n] = at;
  return { start, item, score };
}

/**
 * Per-request accumulators over dense indexes, reused across requests (ranking is synchronous, so one set per
 * process is enough). `touched` lists the indexes written since the last `clear`, which resets only those.
 */
export class Accumulators {
  cooc = new Float64Array(0);
  i2i = new Float64Array(0);
  session = new Float64Array(0);
  content = new Float64Array(0);
  history = new Float64Array(0);
  /** Shared-tag counts of the content seed being expanded (reset after each seed). */
  shared = new Uint16Array(0);
  /** 0 = untouched, 1 = touched, 2 = touched and already a pool candidate. */
  mark = new Uint8Array(0);
  /** 1 = the i2i sum is a user profile's (exact), see rank.ts. */
  profiled = new Uint8Array(0);
  touched = new Int32Array(0);
  size = 0;

  /** Makes room for `n` dense indexes; must be called (and the previous use cleared) before adding. */
  reserve(n: number): void {
    if (this.mark.length >= n) return;
    this.cooc = new Float64Array(n);
    this.i2i = new Float64Array(n);
    this.session = new Float64Array(n);
    this.content = new Float64Array(n);
    this.history = new Float64Array(n);
    this.shared = new Uint16Array(n);
    this.mark = new Uint8Array(n);
    this.profiled = new Uint8Array(n);
    this.touched = new Int32Array(n);
    this.size = 0;
  }

  touch(i: number): void {
    if (this.mark[i] === 0) {
      this.mark[i] = 1;
      this.touched[this.size++] = i;
    }
  }

  clear(): void {
    for (let j = 0; j < this.size; j++) {
      const i = this.touched[j]!;
      this.cooc[i] = 0;
      this.i2i[i] = 0;
      this.session[i] = 0;
      this.content[i] = 0;
      this.history[i] = 0;
      this.mark[i] = 0;
      this.profiled[i] = 0;
    }
    this.size = 0;
  }
}

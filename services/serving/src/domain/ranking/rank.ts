/**
 * The ranking engine: (snapshot, user state, request, config, rules, now) → ranked list. Pure and deterministic:
 * no I/O, no clock, no randomness; every order is (score desc, item id asc) unless MMR is on.
 *
 * Pipeline: seeds → candidates from every weighted source → per-request normalization → blend → rules →
 * selection with constraints and back-fill (bounded top-N via a lazy heap, never a full sort of the catalog) →
 * optional MMR → reasons / explain / trace / warnings.
 */
import {
  Accumulators,
  denseSignals,
  unavailableItems,
  userProfiles,
  type DenseSignals,
  type NeighbourRows,
  type ProfileKey,
  type UserProfile,
} from './dense.js';
import { RankHeap } from './heap.js';
import { byScoreThenId } from './order.js';
import { activeRules, applyRules } from './rules.js';
import type {
  AlgorithmMode,
  CatalogItem,
  Neighbour,
  RankedItem,
  RankingConfig,
  RankingInput,
  RankingResult,
  RankingWarning,
  RecentInteraction,
  SignalSnapshot,
  TraceEntry,
} from './types.js';

export const MAX_K = 200;
export const DEFAULT_K = 20;
/** Request anchors used (reference MaxAnchorsInjected). */
export const MAX_ANCHORS = 50;
/** Distinct recent items used as seeds, newest first, weight RECENT_DECAY^position. */
export const RECENT_SEEDS = 10;
export const RECENT_DECAY = 0.85;
/**
 * Live interactions newer than this many hours before `now` are the user's current context (default 24; keep
 * it at least the publish interval, as older interactions are expected in the published history).
 */
export const RECENT_WINDOW_HOURS = 24;
/** Top history items used as seeds, weight score/max. */
export const HISTORY_SEEDS = 100;
/**
 * Neighbours read per seed and source (lists are pre-sorted by the snapshot): ceil(NEIGHBOURS_PER_SEED × seed
 * weight), at least MIN_NEIGHBOURS_PER_SEED. A weak seed's deep neighbours cannot reach the top k, so reading
 * fewer of them bounds the pool (and the per-request cost) without changing the head of the list much.
 */
export const NEIGHBOURS_PER_SEED = 50;
export const MIN_NEIGHBOURS_PER_SEED = 50;
/** Seeds for tag similarity, and items read per tag (tag lists are ordered by popularity). */
export const CONTENT_SEEDS = 3;
export const TAG_FANOUT = 30;
/** Most recent items used for next-item transitions, weights 1, 1/2, 1/4. */
export const SESSION_SEEDS = 3;
/** Bound on trace entries, and on `outranked` entries among them. */
export const TRACE_LIMIT = 100;
export const OUTRANKED_TRACE = 10;
/**
 * Neighbour-only candidates kept beyond what the list can lose to filters: a plain request (no active rules, tag
 * constraints, include_ids, MMR or trace) materializes only the best k + |excluded| + |dismissed| (+ |seen| without
 * repeats) + PRUNE_MARGIN of them. Should the list still come up short, the request is ranked again unpruned, so
 * the result is the same either way.
 */
export const PRUNE_MARGIN = 50;

/** Neighbour accumulators shared by every request of the process (ranking is synchronous). */
const ACCUMULATORS = new Accumulators();

type SignalName = 'pop' | 'cooc' | 'i2i' | 'content' | 'session' | 'history';
type SimName = 'i2i' | 'content' | 'session';
const SIGNALS: readonly SignalName[] = ['pop', 'cooc', 'i2i', 'content', 'session', 'history'];
const SIMS: readonly SimName[] = ['i2i', 'content', 'session'];

const REASON: Record<SignalName, string> = {
  pop: 'recent_popularity',
  cooc: 'co_visitation',
  i2i: 'item_similarity',
  content: 'content_similarity',
  session: 'session_sequence',
  history: 'buy_again',
};

/** Names used in SIGNAL_UNAVAILABLE warnings. */
const SIGNAL_LABEL: Record<SignalName, string> = {
  pop: 'popularity',
  cooc: 'cooc',
  i2i: 'i2i',
  content: 'content',
  session: 'session',
  history: 'history',
};

interface Candidate {
  id: string;
  pop: number;
  cooc: number;
  i2i: number;
  content: number;
  session: number;
  history: number;
  /** Anchor / include_ids injection: popularity slot raised to the top popularity score (reference). */
  injected: boolean;
  score: number;
  ruleTokens?: string[];
}

interface Weights {
  pop: number;
  cooc: number;
  i2i: number;
  content: number;
  session: number;
  history: number;
  /** Reference similarity bucket: emb × max of the similarity signals that have no weight of their own. */
  emb: number;
  bucket: SimName[];
}

function newCandidate(id: string): Candidate {
  return { id, pop: 0, cooc: 0, i2i: 0, content: 0, session: 0, history: 0, injected: false, score: 0 };
}

function positive(v: number | undefined): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : 0;
}

/** Weights that actually apply for a mode, and the model label. */
export function effectiveWeights(
  config: RankingConfig,
  mode: AlgorithmMode,
): { weights: Weights; model: string } {
  const zero: Weights = { pop: 0, cooc: 0, i2i: 0, content: 0, session: 0, history: 0, emb: 0, bucket: [] };
  if (mode === 'popularity') return { weights: { ...zero, pop: 1 }, model: 'popularity_v1' };
  if (mode === 'cooc') return { weights: { ...zero, cooc: 1 }, model: 'cooc_v1' };
  if (mode === 'implicit') {
    return { weights: { ...zero, i2i: 1, history: config.allowRepeats ? 1 : 0 }, model: 'implicit_v1' };
  }
  const w = config.weights;
  const weights: Weights = {
    pop: positive(w.pop),
    cooc: positive(w.cooc),
    i2i: positive(w.i2i),
    content: positive(w.content),
    session: positive(w.session),
    history: config.allowRepeats ? positive(w.history) : 0,
    emb: positive(w.emb),
    bucket: [],
  };
  if (weights.emb > 0) weights.bucket = SIMS.filter((s) => weights[s] === 0);
  const total =
    weights.pop + weights.cooc + weights.i2i + weights.content + weights.session + weights.history;
  if (total === 0 && (weights.emb === 0 || weights.bucket.length === 0)) {
    return { weights: { ...zero, pop: 1 }, model: 'popularity_v1' };
  }
  return { weights, model: total === weights.pop && weights.emb === 0 ? 'popularity_v1' : 'blend_v1' };
}

function needs(w: Weights, s: SignalName): boolean {
  if (w[s] > 0) return true;
  return s !== 'pop' && s !== 'cooc' && s !== 'history' && w.emb > 0 && w.bucket.includes(s);
}

function cmpId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Per-request user context derived from live recent interactions and the snapshot's history. */
export interface UserContext {
  /** Distinct recent items, newest first, excluding dismissed ones. */
  recentItems: string[];
  dismissed: Set<string>;
  /** Buy-again scores: snapshot history + 1 per recent purchase (built on first use when historyRanked is set). */
  readonly history: Map<string, number>;
  /** history.size */
  historySize: number;
  historyMax: number;
  /**
   * `history` as a list in (score desc, item id asc) order when it is the snapshot's list unchanged (no live
   * purchase or dismissal touched it), which is how snapshots store it; saves sorting it per request.
   */
  historyRanked: readonly Neighbour[] | undefined;
  /** Items the user interacted with (history or recent); built on first use. */
  readonly seen: Set<string>;
}

const validRecent = (r: RecentInteraction): boolean => typeof r.itemId === 'string' && r.itemId.length > 0;

export function userContext(input: RankingInput): UserContext {
  const subject = input.request.subjectId;
  const snapHistory: Neighbour[] | undefined =
    subject !== undefined ? input.snapshot?.userHistory.get(subject) : undefined;
  const windowHours = input.config.recentWindowHours ?? RECENT_WINDOW_HOURS;
  const since = input.now - windowHours * 3_600_000;
  // Common case: nothing recent is current or a dismissal, so the history is the snapshot's list, which
  // buildSnapshot keeps unique, positive and ordered; the map and the seen set are then built only if asked for.
  const quiet =
    input.snapshot?.historyCanonical === true &&
    !input.recent.some((r) => validRecent(r) && (r.type === 'dismiss' || !(r.at < since)));
  if (quiet) return new QuietUserContext(snapHistory, input.recent);
  const recentItems: string[] = [];
  const dismissed = new Set<string>();
  const decided = new Set<string>();
  const seen = new Set<string>();
  const history = new Map<string, number>();
  for (const n of snapHistory ?? []) {
    if (n.score > 0) history.set(n.itemId, (history.get(n.itemId) ?? 0) + n.score);
    seen.add(n.itemId);
  }
  for (const r of input.recent) {
    if (!validRecent(r)) continue;
    seen.add(r.itemId);
    // Only interactions inside the recent window are context (seeds, buy-again +1): older ones are in the
    // published history already, and a purchase of last month is not what the user is doing now.
    const current = !(r.at < since);
    if (current && r.type === 'purchase') history.set(r.itemId, (history.get(r.itemId) ?? 0) + 1);
    if (decided.has(r.itemId)) continue;
    decided.add(r.itemId);
    // The newest interaction decides: a dismissed item is not a seed and is not recommended.
    if (r.type === 'dismiss') dismissed.add(r.itemId);
    else if (current) recentItems.push(r.itemId);
  }
  let changed = false;
  for (const id of dismissed) changed = history.delete(id) || changed;
  let historyMax = 0;
  for (const v of history.values()) if (v > historyMax) historyMax = v;
  const historyRanked =
    !changed && snapHistory && isRankedHistory(snapHistory, history) ? snapHistory : undefined;
  return { recentItems, dismissed, history, historySize: history.size, historyMax, historyRanked, seen };
}

/**
 * The user context when nothing recent is current or a dismissal: the history is the snapshot's list as is, and
 * the map and the seen set are built only if asked for. (A class rather than an object literal with getters,
 * which V8 creates on a slow path.)
 */
class QuietUserContext implements UserContext {
  readonly recentItems: string[] = [];
  readonly dismissed = new Set<string>();
  readonly historySize: number;
  readonly historyMax: number;
  private historyMap: Map<string, number> | undefined;
  private seenSet: Set<string> | undefined;

  constructor(
    readonly historyRanked: readonly Neighbour[] | undefined,
    private readonly recent: readonly RecentInteraction[],
  ) {
    this.historySize = historyRanked?.length ?? 0;
    this.historyMax = historyRanked?.[0]?.score ?? 0;
  }

  get history(): Map<string, number> {
    return (this.historyMap ??= new Map((this.historyRanked ?? []).map((n) => [n.itemId, n.score])));
  }

  get seen(): Set<string> {
    if (!this.seenSet) {
      const seen = new Set((this.historyRanked ?? []).map((n) => n.itemId));
      for (const r of this.recent) if (validRecent(r)) seen.add(r.itemId);
      this.seenSet = seen;
    }
    return this.seenSet;
  }
}

/** Whether `list` is exactly `history`, in (score desc, item id asc) order. */
function isRankedHistory(list: readonly Neighbour[], history: Map<string, number>): boolean {
  if (list.length !== history.size) return false;
  for (let i = 0; i < list.length; i++) {
    const n = list[i]!;
    if (history.get(n.itemId) !== n.score) return false;
    if (i > 0 && byScoreThenId(list[i - 1]!, n) >= 0) return false;
  }
  return true;
}

/** The user's `n` best history items by (score desc, item id asc). */
function topHistory(user: UserContext, n: number): [string, number][] {
  if (user.historyRanked) {
    const top: [string, number][] = [];
    for (let i = 0; i < n && i < user.historyRanked.length; i++) {
      const h = user.historyRanked[i]!;
      top.push([h.itemId, h.score]);
    }
    return top;
  }
  return [...user.history.entries()].sort((a, b) => b[1] - a[1] || cmpId(a[0], b[0])).slice(0, n);
}

function sanitizeIds(ids: readonly string[], max = Number.POSITIVE_INFINITY): string[] {
  if (ids.length === 0) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of ids) {
    const id = raw.trim();
    if (id.length === 0 || seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    if (out.length >= max) break;
  }
  return out;
}

interface Rejection {
  outcome: string;
  kind: 'hard' | 'include' | 'required' | 'forbidden';
}

/** The rejections that carry no item-specific text, shared (a known user's request pops many seen items). */
const REJECTED = {
  excludeIds: { outcome: 'filtered:exclude_ids', kind: 'hard' },
  unavailable: { outcome: 'filtered:unavailable', kind: 'hard' },
  dismissed: { outcome: 'filtered:dismissed', kind: 'hard' },
  alreadySeen: { outcome: 'filtered:already_seen', kind: 'hard' },
  includeIds: { outcome: 'filtered:include_ids', kind: 'include' },
} as const satisfies Record<string, Rejection>;

const lowerCased = (tags: readonly string[]): readonly string[] =>
  tags.length === 0 ? tags : tags.map((t) => t.toLowerCase());

/** Seeds (item → weight) for neighbour expansion: anchors 1, recent RECENT_DECAY^i, history score/max. */
export function neighbourSeeds(
  anchors: string[],
  user: UserContext,
  historySeeds: number,
  historySeedPower: number,
): Map<string, number> {
  const seeds = new Map<string, number>();
  const put = (id: string, w: number): void => {
    if (w > (seeds.get(id) ?? 0)) seeds.set(id, w);
  };
  for (const a of anchors) put(a, 1);
  const recent = user.recentItems;
  for (let i = 0; i < recent.length && i < RECENT_SEEDS; i++) put(recent[i]!, Math.pow(RECENT_DECAY, i));
  if (user.historyMax > 0) {
    for (const [id, s] of topHistory(user, historySeeds)) {
      put(id, historySeedPower === 1 ? s / user.historyMax : Math.pow(s / user.historyMax, historySeedPower));
    }
  }
  return seeds;
}

function neighbourBudget(seedWeight: number, perSeed: number, minPerSeed: number): number {
  return Math.max(minPerSeed, Math.ceil(perSeed * Math.min(1, seedWeight)));
}

/** Adds weight × score of each seed's first neighbours (see neighbourBudget) in `rows` to `target`. */
export function expandSeeds(
  dense: DenseSignals,
  rows: NeighbourRows,
  seeds: Map<string, number>,
  perSeed: number,
  minPerSeed: number,
  acc: Accumulators,
  target: Float64Array,
): void {
  for (const [seed, w] of seeds) {
    const s = dense.index.get(seed);
    if (s === undefined) continue;
    const from = rows.start[s]!;
    const to = Math.min(rows.start[s + 1]!, from + neighbourBudget(w, perSeed, minPerSeed));
    for (let j = from; j < to; j++) {
      const score = rows.score[j]!;
      if (!(score > 0)) continue;
      const t = rows.item[j]!;
      acc.touch(t);
      target[t]! += w * score;
    }
  }
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let inter = 0;
  for (const t of a) if (b.includes(t)) inter++;
  return inter / (a.length + b.length - inter);
}

export interface RankOptions {
  /** Materialize only the neighbour candidates that can reach the list (default true; false is for tests). */
  prune?: boolean;
  /** Use the snapshot's user profiles where they apply (default true; false is for tests and tools). */
  profiles?: boolean;
}

/** How often a user profile was used, and how often its result could not be proven exact (tests, tools). */
export const profileStats = { used: 0, inexact: 0 };

/** The seeding values a config ranks with, as user profiles record them (profiles.ts). */
export function profileKey(config: RankingConfig, k: number): ProfileKey {
  const perSeed = config.neighboursPerSeed ?? NEIGHBOURS_PER_SEED;
  return {
    historySeeds: config.historySeeds ?? HISTORY_SEEDS,
    historySeedPower: config.historySeedPower ?? 1,
    perSeed,
    minPerSeed: Math.min(perSeed, config.minNeighboursPerSeed ?? MIN_NEIGHBOURS_PER_SEED),
    fanout: Math.max(k, config.fanout > 0 ? config.fanout : 200),
  };
}

function sameKey(a: ProfileKey, b: ProfileKey): boolean {
  return (
    a.historySeeds === b.historySeeds &&
    a.historySeedPower === b.historySeedPower &&
    a.perSeed === b.perSeed &&
    a.minPerSeed === b.minPerSeed &&
    a.fanout === b.fanout
  );
}

export function rank(input: RankingInput, options: RankOptions = {}): RankingResult {
  try {
    if (options.prune !== false) {
      let result = rankOnce(input, true, options.profiles !== false);
      if (result === null) {
        profileStats.inexact++;
        ACCUMULATORS.clear();
        result = rankOnce(input, true, false);
      }
      if (result) return result;
      ACCUMULATORS.clear();
    }
    return rankOnce(input, false, false)!;
  } finally {
    ACCUMULATORS.clear();
  }
}

/**
 * One ranking pass. undefined: a pruned pass could not fill the list (the caller re-ranks unpruned); null: the
 * pass used a user profile and could not prove its list exact (the caller re-ranks with the live expansion).
 */
function rankOnce(
  input: RankingInput,
  prune: boolean,
  useProfile: boolean,
): RankingResult | undefined | null {
  const { request, config, snapshot } = input;
  const k = Number.isFinite(request.k) && request.k > 0 ? Math.min(MAX_K, Math.floor(request.k)) : DEFAULT_K;
  const warnings: RankingWarning[] = [];
  const trace: TraceEntry[] = [];
  const traceOn = request.includeTrace;
  const addTrace = (itemId: string, outcome: string, score?: number): void => {
    if (!traceOn || trace.length >= TRACE_LIMIT) return;
    trace.push(score === undefined ? { itemId, outcome } : { itemId, outcome, score });
  };

  const anchors = sanitizeIds(request.anchors, MAX_ANCHORS);
  const includeIds = sanitizeIds(request.includeIds);
  const allow = includeIds.length > 0 ? new Set(includeIds) : undefined;
  const exclude = new Set(sanitizeIds(request.excludeIds));
  const requiredTags = sanitizeIds(lowerCased(request.requiredTags));
  const forbiddenTags = new Set(sanitizeIds(lowerCased(request.forbiddenTags)));
  const maxPerTag = new Map<string, number>();
  for (const [tag, cap] of Object.entries(request.maxPerTag)) {
    const t = tag.trim().toLowerCase();
    if (t.length > 0 && Number.isFinite(cap) && cap > 0) maxPerTag.set(t, Math.floor(cap));
  }
  const catalog = snapshot?.catalog;
  const user = userContext(input);
  const fanout = Math.max(k, config.fanout > 0 ? config.fanout : 200);
  const saturating = config.normalization === 'saturating';
  const historyFloor = saturating ? 0 : Math.min(1, Math.max(0, config.historyFloor ?? 0));

  let mode: AlgorithmMode = config.mode;
  let { weights, model } = effectiveWeights(config, mode);

  // ---- SIGNAL_UNAVAILABLE (only for weighted signals) --------------------------------------------------
  for (const s of SIGNALS) {
    if (!needs(weights, s)) continue;
    if (!snapshot) {
      warnings.push({
        code: 'SIGNAL_UNAVAILABLE',
        detail: `${SIGNAL_LABEL[s]} unavailable: no signal snapshot loaded`,
      });
    } else if (!hasData(snapshot, s)) {
      warnings.push({ code: 'SIGNAL_UNAVAILABLE', detail: `${SIGNAL_LABEL[s]} signal unavailable` });
    }
  }

  // ---- candidates --------------------------------------------------------------------------------------
  const pool = new Map<string, Candidate>();
  const cand = (id: string): Candidate => {
    let c = pool.get(id);
    if (!c) pool.set(id, (c = newCandidate(id)));
    return c;
  };
  // Seeds of the neighbour expansion, built on first use (a user profile makes them unnecessary).
  let seedMap: Map<string, number> | undefined;
  const seeds = (): Map<string, number> =>
    (seedMap ??= neighbourSeeds(
      anchors,
      user,
      config.historySeeds ?? HISTORY_SEEDS,
      config.historySeedPower ?? 1,
    ));
  const perSeed = config.neighboursPerSeed ?? NEIGHBOURS_PER_SEED;
  const minPerSeed = Math.min(perSeed, config.minNeighboursPerSeed ?? MIN_NEIGHBOURS_PER_SEED);

  // Blend and implicit modes expand seeds into cooc / i2i neighbours through dense accumulators (see dense.ts).
  const dense: DenseSignals | undefined =
    snapshot && (mode === 'blend' || mode === 'implicit') ? denseSignals(snapshot) : undefined;
  const acc = ACCUMULATORS;
  if (dense) acc.reserve(dense.ids.length);
  // Once per pass: the pruning check, the user profile and applyRules need it.
  const active = activeRules(input.rules, request.surface, request.segment, input.now);
  const plain =
    !saturating &&
    weights.bucket.length === 0 &&
    active.length === 0 &&
    requiredTags.length === 0 &&
    forbiddenTags.size === 0 &&
    !allow &&
    maxPerTag.size === 0 &&
    !(config.mmrLambda > 0) &&
    !traceOn;
  const profile =
    useProfile && plain && dense && snapshot && mode === 'blend'
      ? profileFor(snapshot, request.subjectId, anchors, user, profileKey(config, k))
      : undefined;
  if (profile) profileStats.used++;
  const addDenseNeighbours = (
    rows: NeighbourRows,
    target: Float64Array,
    from: Map<string, number> = seeds(),
  ): void => {
    if (dense) expandSeeds(dense, rows, from, perSeed, minPerSeed, acc, target);
  };

  /** The user's own items (their scores are read from the user context at normalization). */
  let historyAdded = false;
  const addHistory = (): void => {
    historyAdded = true;
    const ranked = user.historyRanked;
    if (profile && ranked) {
      // The profile holds the dense index of each history item, in the snapshot's order (-1: not dense).
      const indexes = profile.history;
      for (let j = 0; j < ranked.length; j++) {
        const i = indexes[j]!;
        if (i < 0) cand(ranked[j]!.itemId);
        else {
          acc.touch(i);
          acc.history[i] = ranked[j]!.score;
        }
      }
      return;
    }
    const add = (id: string, v: number): void => {
      const i = dense?.index.get(id);
      if (i === undefined) cand(id);
      else {
        acc.touch(i);
        acc.history[i] = v;
      }
    };
    if (user.historyRanked) for (const n of user.historyRanked) add(n.itemId, n.score);
    else for (const [id, v] of user.history) add(id, v);
  };

  const addPopularity = (): void => {
    if (!snapshot) return;
    const ranked = snapshot.popularityRanked;
    const n = Math.min(ranked.length, fanout);
    // The dense index of the i-th most popular item is i (see dense.ts).
    if (dense) for (let i = 0; i < n; i++) acc.touch(i);
    else for (let i = 0; i < n; i++) cand(ranked[i]!);
  };

  if (mode === 'cooc') {
    // Reference cooc mode: co-visitation neighbours of the anchors (else of the user's items), anchors excluded.
    const coocSeeds = anchors.length > 0 ? new Map(anchors.map((a) => [a, 1] as const)) : seeds();
    if (snapshot) {
      for (const [seed, w] of coocSeeds) {
        const list = snapshot.cooc.get(seed);
        const n = Math.min(list?.length ?? 0, perSeed);
        for (let i = 0; i < n; i++) {
          const nb = list![i]!;
          if (nb.score > 0 && !coocSeeds.has(nb.itemId)) cand(nb.itemId).cooc += w * nb.score;
        }
      }
    }
    if (pool.size === 0) {
      mode = 'popularity';
      ({ weights, model } = effectiveWeights(config, mode));
    }
  } else if (mode === 'implicit') {
    if (user.historySize > 0 && weights.history > 0) addHistory();
    if (dense) addDenseNeighbours(dense.i2i, acc.i2i);
    if (pool.size === 0 && acc.size === 0) {
      mode = 'popularity';
      ({ weights, model } = effectiveWeights(config, mode));
    }
  }

  if (mode === 'blend') {
    if (dense && needs(weights, 'cooc')) {
      // Co-visitation is "bought / viewed together": by default expanded from what is in front of the user now
      // (anchors, recent items), not from their long-term history, where it added noise on the validation split.
      const coocSeeds =
        config.coocSeeds === 'all' ? seeds() : neighbourSeeds(anchors, user, 0, config.historySeedPower ?? 1);
      addDenseNeighbours(dense.cooc, acc.cooc, coocSeeds);
    }
    if (dense && needs(weights, 'i2i')) {
      if (profile) loadProfile(profile, acc);
      else addDenseNeighbours(dense.i2i, acc.i2i);
    }
    if (needs(weights, 'history')) addHistory();
    if (dense && needs(weights, 'session') && snapshot && snapshot.sessionNext.size > 0) {
      const sessionSeeds = (user.recentItems.length > 0 ? user.recentItems : anchors).slice(0, SESSION_SEEDS);
      const rows = dense.session;
      sessionSeeds.forEach((seed, i) => {
        const s = dense.index.get(seed);
        if (s === undefined) return;
        const from = rows.start[s]!;
        const to = Math.min(rows.start[s + 1]!, from + perSeed);
        const w = Math.pow(0.5, i);
        for (let j = from; j < to; j++) {
          const score = rows.score[j]!;
          if (!(score > 0)) continue;
          const t = rows.item[j]!;
          acc.touch(t);
          acc.session[t]! += w * score;
        }
      });
    }
    if (dense && needs(weights, 'content') && snapshot && snapshot.tagIndex.size > 0) {
      if (profile && profile.tagsEpoch === dense.tagsEpoch) loadContent(profile, acc);
      else addContent(snapshot, dense, acc, anchors, user);
    }
  }
  if (mode === 'blend' || mode === 'popularity') addPopularity();

  // Required tags: candidates straight from the tag index so the list can be filled with matching items.
  if (snapshot && requiredTags.length > 0) {
    for (const tag of requiredTags) {
      const list = snapshot.tagIndex.get(tag);
      const n = Math.min(list?.length ?? 0, fanout);
      for (let i = 0; i < n; i++) cand(list![i]!);
    }
  }
  // Anchors (except in cooc mode) and include_ids are injected (reference §2.3.2).
  for (const id of mode === 'cooc' ? includeIds : [...anchors, ...includeIds]) cand(id).injected = true;

  // ---- normalization and blend ---------------------------------------------------------------------------
  const popularity = snapshot?.popularity;
  let maxPop = 0;
  if (snapshot && snapshot.popularityRanked.length > 0) {
    maxPop = snapshot.popularity.get(snapshot.popularityRanked[0]!) ?? 0;
  }
  const injectedPop = maxPop > 0 ? maxPop : 1;
  const fastPath = !saturating && weights.bucket.length === 0;
  const pruning = prune && plain && dense !== undefined;
  if (dense && acc.size > 0) {
    // Neighbour sums onto the candidates other sources created; the rest become candidates now, or (pruning)
    // after scoring, when only the best of them are kept.
    for (const c of pool.values()) {
      const i = dense.index.get(c.id);
      if (i === undefined || acc.mark[i] !== 1) continue;
      copySignals(c, acc, i);
      acc.mark[i] = 2;
    }
    if (!pruning) {
      for (let j = 0; j < acc.size; j++) {
        const i = acc.touched[j]!;
        if (acc.mark[i] === 1) copySignals(cand(dense.ids[i]!), acc, i);
      }
    }
  }
  const max: Record<SignalName, number> = { pop: 0, cooc: 0, i2i: 0, content: 0, session: 0, history: 0 };
  const hasHistory = weights.history > 0 && user.historySize > 0;
  if (pruning && dense) {
    for (let j = 0; j < acc.size; j++) {
      const i = acc.touched[j]!;
      if (acc.mark[i] !== 1) continue;
      if (dense.pop[i]! > max.pop) max.pop = dense.pop[i]!;
      if (acc.cooc[i]! > max.cooc) max.cooc = acc.cooc[i]!;
      if (acc.i2i[i]! > max.i2i) max.i2i = acc.i2i[i]!;
      if (acc.content[i]! > max.content) max.content = acc.content[i]!;
      if (acc.session[i]! > max.session) max.session = acc.session[i]!;
      if (hasHistory && acc.history[i]! > max.history) max.history = acc.history[i]!;
    }
  }
  for (const c of pool.values()) {
    c.pop = popularity?.get(c.id) ?? 0;
    if (c.injected && c.pop < injectedPop) c.pop = injectedPop;
    if (hasHistory) c.history = user.history.get(c.id) ?? 0;
    if (c.pop > max.pop) max.pop = c.pop;
    if (c.cooc > max.cooc) max.cooc = c.cooc;
    if (c.i2i > max.i2i) max.i2i = c.i2i;
    if (c.content > max.content) max.content = c.content;
    if (c.session > max.session) max.session = c.session;
    if (c.history > max.history) max.history = c.history;
  }
  const norm = (c: Candidate, s: SignalName): number => {
    const raw = c[s];
    if (!(raw > 0)) return 0;
    if (saturating) return raw / (raw + 1);
    const m = max[s];
    const v = m > 0 ? raw / m : 0;
    return s === 'history' ? historyFloor + (1 - historyFloor) * v : v;
  };
  const scoreOf = (c: Candidate): number => {
    let score = 0;
    for (const s of SIGNALS) if (weights[s] > 0) score += weights[s] * norm(c, s);
    if (weights.emb > 0 && weights.bucket.length > 0) {
      let b = 0;
      for (const s of weights.bucket) b = Math.max(b, norm(c, s));
      score += weights.emb * b;
    }
    return score;
  };
  let pruned = false;
  /**
   * The pruning pass's best touched indexes as candidates. They stay out of `pool`: a pruned request has no
   * active rules, so nothing after scoring looks a candidate up by id, and ~100 Map insertions cost more than
   * the rest of the pass's candidate handling.
   */
  const kept: Candidate[] = [];
  /** With a profile: the most an item whose i2i sum was left out can score (the list must end above it). */
  let profileBound = Number.NEGATIVE_INFINITY;
  if (fastPath) {
    // Fast path (the default): weight/max folded into one coefficient per signal.
    const coef = (s: SignalName): number => (weights[s] > 0 && max[s] > 0 ? weights[s] / max[s] : 0);
    const cp = coef('pop');
    const cc = coef('cooc');
    const ci = coef('i2i');
    const cx = coef('content');
    const cs = coef('session');
    const wh = max.history > 0 ? weights.history : 0;
    const hScale = max.history > 0 ? (1 - historyFloor) / max.history : 0;
    if (pruning && dense) {
      const keep =
        k + exclude.size + user.dismissed.size + (config.allowRepeats ? 0 : user.seen.size) + PRUNE_MARGIN;
      const blend: TouchedBlend = { cp, cc, ci, cx, cs, wh: hasHistory ? wh : 0, historyFloor, hScale };
      const best = bestTouched(acc, dense, keep, blend);
      if (profile && profile.dropped > 0) {
        // Left out of the profile: items outside the popularity fan-out and the user's history whose sum was below
        // the kept ones. Untouched, such an item scores at most pop[fanout] + the largest sum left out; touched
        // (by content), its score here + that sum.
        const extra = ci * profile.dropped;
        profileBound = cp * (dense.pop[fanout] ?? 0) + extra;
        for (let t = 0; t < acc.size; t++) {
          const i = acc.touched[t]!;
          if (acc.profiled[i] || i < fanout) continue;
          // History items are not left out of a profile; addHistory marked those that are dense.
          if (historyAdded ? acc.history[i]! > 0 : user.history.has(dense.ids[i]!)) continue;
          profileBound = Math.max(profileBound, touchedScore(blend, dense, acc, i) + extra);
        }
      }
      pruned = best.leftOut;
      for (const i of best.indexes) {
        // Not in the pool (mark 1: touched, not pooled), so no duplicate.
        const c = newCandidate(dense.ids[i]!);
        kept.push(c);
        copySignals(c, acc, i);
        c.pop = dense.pop[i]!;
        if (hasHistory) c.history = acc.history[i]!;
      }
    }
    const blendScore = (c: Candidate): void => {
      let score = cp * c.pop + cc * c.cooc + ci * c.i2i + cx * c.content + cs * c.session;
      if (wh > 0 && c.history > 0) score += wh * (historyFloor + hScale * c.history);
      c.score = score;
    };
    for (const c of pool.values()) blendScore(c);
    for (const c of kept) blendScore(c);
  } else {
    for (const c of pool.values()) c.score = scoreOf(c);
  }

  // ---- filters ---------------------------------------------------------------------------------------------
  const tagsOf = (id: string): readonly string[] => catalog?.get(id)?.tags ?? [];
  const unavailableIds = snapshot ? unavailableItems(snapshot) : undefined;
  const unavailable = (id: string): boolean => unavailableIds?.has(id) === true;
  const tagConstraint = (id: string): string | undefined => {
    if (requiredTags.length === 0 && forbiddenTags.size === 0) return undefined;
    const tags = tagsOf(id);
    if (requiredTags.length > 0 && !requiredTags.some((t) => tags.includes(t)))
      return 'filtered:required_tags';
    for (const t of tags) if (forbiddenTags.has(t)) return `filtered:forbidden_tag:${t}`;
    return undefined;
  };
  const pinEligible = (id: string): boolean =>
    !exclude.has(id) && !unavailable(id) && (!allow || allow.has(id)) && tagConstraint(id) === undefined;

  // ---- rules -----------------------------------------------------------------------------------------------
  const outcome = applyRules<Candidate>({
    rules: input.rules,
    active,
    surface: request.surface,
    segment: request.segment,
    now: input.now,
    config,
    k,
    pool,
    catalog,
    ...(snapshot ? { tagIndex: snapshot.tagIndex } : {}),
    inject: (id) => newCandidate(id),
    pinEligible,
  });

  /** Why a popped candidate cannot be returned (undefined = eligible apart from max_per_tag). */
  const rejection = (c: Candidate): Rejection | undefined => {
    if (exclude.has(c.id)) return REJECTED.excludeIds;
    if (unavailable(c.id)) return REJECTED.unavailable;
    const block = outcome.blocked.get(c.id);
    if (block !== undefined)
      return { outcome: `blocked:rule${block.slice('rule.block'.length)}`, kind: 'hard' };
    if (user.dismissed.has(c.id) && !c.injected) return REJECTED.dismissed;
    if (!config.allowRepeats && user.seen.has(c.id) && !c.injected) return REJECTED.alreadySeen;
    if (allow && !allow.has(c.id)) return REJECTED.includeIds;
    const t = tagConstraint(c.id);
    if (t !== undefined)
      return { outcome: t, kind: t === 'filtered:required_tags' ? 'required' : 'forbidden' };
    return undefined;
  };

  // ---- selection with back-fill -----------------------------------------------------------------------------
  const pinnedIds = new Set(outcome.pins.map((p) => p.id));
  const tagCount = new Map<string, number>();
  const countTags = (id: string): void => {
    if (maxPerTag.size === 0) return;
    for (const t of tagsOf(id)) if (maxPerTag.has(t)) tagCount.set(t, (tagCount.get(t) ?? 0) + 1);
  };
  const capHit = (id: string): string | undefined => {
    if (maxPerTag.size === 0) return undefined;
    for (const t of tagsOf(id)) {
      const cap = maxPerTag.get(t);
      if (cap !== undefined && (tagCount.get(t) ?? 0) >= cap) return t;
    }
    return undefined;
  };
  for (const p of outcome.pins) countTags(p.id);

  const need = k - outcome.pins.length;
  const historyShare = config.historyShare ?? 1;
  const historyCap =
    weights.history > 0 && historyShare < 1
      ? Math.ceil(Math.max(0, historyShare) * k)
      : Number.POSITIVE_INFINITY;
  let historyTaken = 0;
  const overHistoryCap = (c: Candidate): boolean => {
    if (!(c.history > 0) || historyTaken < historyCap) return false;
    addTrace(c.id, 'history_cap', c.score);
    return true;
  };
  const heapItems: Candidate[] = [];
  for (const c of pool.values()) if (!pinnedIds.has(c.id)) heapItems.push(c);
  for (const c of kept) heapItems.push(c); // no pins when pruned
  const heap = new RankHeap(heapItems);
  const selected: Candidate[] = [];
  const removed = { include: 0, required: 0, forbidden: 0, maxPerTag: 0 };
  /** Removals are counted only while they displace an item from the top k (reference semantics). */
  const countRemoval = (kind: keyof typeof removed, taken: number): void => {
    if (taken + removed.include + removed.required + removed.forbidden + removed.maxPerTag < need)
      removed[kind]++;
  };

  /** Next candidate passing every filter except max_per_tag, or undefined when the pool is exhausted. */
  const nextEligible = (taken: () => number): Candidate | undefined => {
    for (;;) {
      const c = heap.pop();
      if (!c) return undefined;
      const r = rejection(c);
      if (!r) return c;
      addTrace(c.id, r.outcome, c.score);
      if (r.kind !== 'hard') countRemoval(r.kind, taken());
    }
  };

  const mmr = config.mmrLambda > 0;
  let leftovers: Candidate[] = [];
  if (need > 0 && mmr) {
    const poolSize = Math.max(3 * need, need + 20);
    const mmrPool: Candidate[] = [];
    while (mmrPool.length < poolSize) {
      const c = nextEligible(() => Math.min(mmrPool.length, need));
      if (!c) break;
      mmrPool.push(c);
    }
    const lambda = Math.min(1, config.mmrLambda);
    const maxScore = mmrPool.reduce((m, c) => Math.max(m, c.score), 0);
    const maxSim = new Float64Array(mmrPool.length);
    const tagSets = mmrPool.map((c) => tagsOf(c.id));
    for (const p of outcome.pins) {
      const pt = tagsOf(p.id);
      for (let i = 0; i < mmrPool.length; i++) maxSim[i] = Math.max(maxSim[i]!, jaccard(tagSets[i]!, pt));
    }
    const taken = new Uint8Array(mmrPool.length);
    while (selected.length < need) {
      let best = -1;
      let bestValue = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < mmrPool.length; i++) {
        if (taken[i]) continue;
        const c = mmrPool[i]!;
        if (overHistoryCap(c)) {
          taken[i] = 1;
          continue;
        }
        const cap = capHit(c.id);
        if (cap !== undefined) {
          taken[i] = 1;
          addTrace(c.id, `max_per_tag:${cap}`, c.score);
          countRemoval('maxPerTag', selected.length);
          continue;
        }
        const rel = maxScore > 0 ? c.score / maxScore : 0;
        const value = lambda * rel - (1 - lambda) * maxSim[i]!;
        if (value > bestValue) {
          bestValue = value;
          best = i;
        }
      }
      if (best < 0) break;
      taken[best] = 1;
      const chosen = mmrPool[best]!;
      if (chosen.history > 0) historyTaken++;
      selected.push(chosen);
      countTags(chosen.id);
      const ct = tagSets[best]!;
      for (let i = 0; i < mmrPool.length; i++) {
        if (!taken[i]) maxSim[i] = Math.max(maxSim[i]!, jaccard(tagSets[i]!, ct));
      }
    }
    leftovers = mmrPool.filter((_, i) => !taken[i]);
  }
  while (selected.length < need) {
    const c = nextEligible(() => selected.length);
    if (!c) break;
    if (overHistoryCap(c)) continue;
    const cap = capHit(c.id);
    if (cap !== undefined) {
      addTrace(c.id, `max_per_tag:${cap}`, c.score);
      countRemoval('maxPerTag', selected.length);
      continue;
    }
    selected.push(c);
    countTags(c.id);
    if (c.history > 0) historyTaken++;
  }
  if (profile && need > 0 && (selected.length < need || !(selected[need - 1]!.score > profileBound)))
    return null;
  if (pruned && selected.length < need) return undefined;
  if (traceOn) {
    let n = 0;
    for (const c of leftovers) {
      if (n++ >= OUTRANKED_TRACE) break;
      addTrace(c.id, 'outranked', c.score);
    }
    while (n < OUTRANKED_TRACE) {
      const c = heap.pop();
      if (!c) break;
      const r = rejection(c);
      addTrace(c.id, r ? r.outcome : 'outranked', c.score);
      n++;
    }
  }

  // ---- output ----------------------------------------------------------------------------------------------
  const items: RankedItem[] = [];
  const render = (c: Candidate, extraTokens: string[], pinned: boolean): RankedItem => {
    const item: RankedItem = { itemId: c.id, rank: items.length + 1, score: c.score };
    // Most items carry no rule tokens: no set, copy or sort for them.
    const ruleTokens = c.ruleTokens ?? [];
    const tokens =
      extraTokens.length + ruleTokens.length === 0
        ? []
        : [...new Set([...extraTokens, ...ruleTokens])].sort();
    if (request.includeReasons) {
      const reasons: string[] = [];
      let bucketMax = 0;
      for (const s of weights.bucket) bucketMax = Math.max(bucketMax, norm(c, s));
      for (const s of SIGNALS) {
        const n = norm(c, s);
        if (n <= 0) continue;
        if (
          weights[s] > 0 ||
          (weights.emb > 0 && (weights.bucket as string[]).includes(s) && n >= bucketMax - 1e-9)
        ) {
          reasons.push(REASON[s]);
        }
      }
      if (mmr && !pinned) reasons.push('diversity');
      for (const t of tokens) reasons.push(t);
      if (reasons.length > 0) item.reasons = reasons;
    }
    if (request.explain !== 'none') item.explain = { signals: explainSignals(c), rules: tokens };
    if (pinned) item.pinned = true;
    return item;
  };
  const explainSignals = (c: Candidate): Record<string, number> => {
    const contrib: Record<SignalName, number> = {
      pop: 0,
      cooc: 0,
      i2i: 0,
      content: 0,
      session: 0,
      history: 0,
    };
    for (const s of SIGNALS) contrib[s] = weights[s] * norm(c, s);
    let bucket = 0;
    for (const s of weights.bucket) bucket = Math.max(bucket, norm(c, s));
    const bucketContribution = weights.emb * bucket;
    const emb = contrib.i2i + contrib.content + contrib.session + bucketContribution;
    if (request.explain === 'summary')
      return { pop: contrib.pop, cooc: contrib.cooc, emb, history: contrib.history };
    const out: Record<string, number> = { ...contrib, emb };
    for (const s of SIGNALS) {
      const n = norm(c, s);
      if (n > 0) out[`${s}_norm`] = n;
    }
    return out;
  };

  for (const p of outcome.pins) items.push(render(pool.get(p.id) ?? newCandidate(p.id), p.tokens, true));
  for (const c of selected) items.push(render(c, [], false));

  // ---- warnings ----------------------------------------------------------------------------------------------
  if (allow) {
    if (items.length === 0) {
      warnings.push({ code: 'CANDIDATES_INCLUDE_EMPTY', detail: 'no items matched candidates.include_ids' });
    } else if (removed.include > 0) {
      warnings.push({
        code: 'CANDIDATES_INCLUDE_FILTERED',
        detail: `${removed.include} items removed by candidates.include_ids`,
      });
    }
  }
  const constraintRemovals = removed.required + removed.forbidden + removed.maxPerTag;
  if (constraintRemovals > 0) {
    warnings.push({
      code: 'CONSTRAINTS_FILTERED',
      detail:
        `${constraintRemovals} items removed by tag constraints ` +
        `(required_tags: ${removed.required}, forbidden_tags: ${removed.forbidden}, max_per_tag: ${removed.maxPerTag})`,
    });
  }

  const result: RankingResult = { items, warnings, model };
  if (traceOn) result.trace = trace;
  return result;
}

/** The fast path's blend of a touched dense index: one coefficient per signal (weight / max). */
interface TouchedBlend {
  cp: number;
  cc: number;
  ci: number;
  cx: number;
  cs: number;
  /** History weight, 0 when history does not count. */
  wh: number;
  historyFloor: number;
  hScale: number;
}

function touchedScore(b: TouchedBlend, dense: DenseSignals, acc: Accumulators, i: number): number {
  let score =
    b.cp * dense.pop[i]! +
    b.cc * acc.cooc[i]! +
    b.ci * acc.i2i[i]! +
    b.cx * acc.content[i]! +
    b.cs * acc.session[i]!;
  if (b.wh > 0) {
    const h = acc.history[i]!;
    if (h > 0) score += b.wh * (b.historyFloor + b.hScale * h);
  }
  return score;
}

/** Scratch of bestTouched's heap, reused across requests (ranking is synchronous). */
let heapIndexes = new Int32Array(256);
let heapScores = new Float64Array(256);

/**
 * The `keep` best touched-but-not-pooled dense indexes by (score desc, item id asc), via a bounded heap whose root
 * is the worst kept entry; `leftOut` says whether any touched index was dropped. `indexes` is a view of scratch
 * space, valid until the next call.
 */
function bestTouched(
  acc: Accumulators,
  dense: DenseSignals,
  keep: number,
  blend: TouchedBlend,
): { indexes: Int32Array; leftOut: boolean } {
  if (heapIndexes.length < keep) {
    heapIndexes = new Int32Array(keep);
    heapScores = new Float64Array(keep);
  }
  const idx = heapIndexes;
  const score = heapScores;
  const ids = dense.ids;
  let n = 0;
  let leftOut = false;
  for (let t = 0; t < acc.size; t++) {
    const i = acc.touched[t]!;
    if (acc.mark[i] !== 1) continue;
    const s = touchedScore(blend, dense, acc, i);
    let j: number;
    if (n < keep) {
      // Sift up: parents are worse (lower score, or the same score and a larger id) than their children.
      j = n++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        const ps = score[p]!;
        if (!(s < ps || (s === ps && ids[i]! > ids[idx[p]!]!))) break;
        idx[j] = idx[p]!;
        score[j] = ps;
        j = p;
      }
    } else {
      leftOut = true;
      const root = score[0]!;
      if (!(s > root || (s === root && ids[i]! < ids[idx[0]!]!))) continue;
      // Sift down from the root, which (i, s) replaces.
      j = 0;
      for (;;) {
        const l = 2 * j + 1;
        if (l >= n) break;
        const r = l + 1;
        const c =
          r < n && (score[r]! < score[l]! || (score[r] === score[l] && ids[idx[r]!]! > ids[idx[l]!]!))
            ? r
            : l;
        const cs = score[c]!;
        if (!(cs < s || (cs === s && ids[idx[c]!]! > ids[i]!))) break;
        idx[j] = idx[c]!;
        score[j] = cs;
        j = c;
      }
    }
    idx[j] = i;
    score[j] = s;
  }
  return { indexes: idx.subarray(0, n), leftOut };
}

/**
 * The user's profile (profiles.ts), when the request is one it was computed for: a known user without anchors,
 * recent items or dismissals, whose history is the snapshot's, ranked with the same seeding.
 */
function profileFor(
  snapshot: SignalSnapshot,
  subjectId: string | undefined,
  anchors: string[],
  user: UserContext,
  key: ProfileKey,
): UserProfile | undefined {
  if (subjectId === undefined || anchors.length > 0 || user.recentItems.length > 0) return undefined;
  if (!user.historyRanked || user.dismissed.size > 0) return undefined;
  const profiles = userProfiles(snapshot);
  if (!profiles || !sameKey(profiles.key, key)) return undefined;
  return profiles.byUser.get(subjectId);
}

/** A profile's sums in place of the live expansion of the history seeds into i2i neighbours. */
function loadProfile(profile: UserProfile, acc: Accumulators): void {
  const { items, i2i } = profile;
  for (let j = 0; j < items.length; j++) {
    const i = items[j]!;
    acc.touch(i);
    acc.i2i[i] = i2i[j]!;
    acc.profiled[i] = 1;
  }
}

/** A profile's content sums in place of addContent (the same indexes touched, the same sums). */
function loadContent(profile: UserProfile, acc: Accumulators): void {
  const { contentItems, content } = profile;
  for (let j = 0; j < contentItems.length; j++) {
    const i = contentItems[j]!;
    acc.touch(i);
    acc.content[i] = content[j]!;
  }
}

function hasData(snapshot: SignalSnapshot, s: SignalName): boolean {
  switch (s) {
    case 'pop':
      return snapshot.popularityRanked.length > 0;
    case 'cooc':
      return snapshot.cooc.size > 0;
    case 'i2i':
      return snapshot.i2i.size > 0;
    case 'content':
      return snapshot.tagIndex.size > 0;
    case 'session':
      return snapshot.sessionNext.size > 0;
    case 'history':
      return snapshot.userHistory.size > 0;
  }
}

/** Adds the accumulated neighbour, content, session and history sums of dense index `i` to a candidate. */
function copySignals(c: Candidate, acc: Accumulators, i: number): void {
  c.cooc += acc.cooc[i]!;
  c.i2i += acc.i2i[i]!;
  c.content += acc.content[i]!;
  c.session += acc.session[i]!;
}

/**
 * Content similarity: for each seed (anchors, then recent items; else the top history items) add
 * seedWeight × Jaccard(tags(seed), tags(item)) for items sharing a tag, reading at most TAG_FANOUT items per tag.
 */
export function addContent(
  snapshot: SignalSnapshot,
  dense: DenseSignals,
  acc: Accumulators,
  anchors: string[],
  user: UserContext,
): void {
  const seeds: [string, number][] = [];
  const seen = new Set<string>();
  const push = (id: string, w: number): void => {
    if (seeds.length < CONTENT_SEEDS && !seen.has(id)) {
      seen.add(id);
      seeds.push([id, w]);
    }
  };
  for (const a of anchors) push(a, 1);
  user.recentItems.forEach((id, i) => push(id, Math.pow(RECENT_DECAY, i)));
  if (seeds.length === 0 && user.historyMax > 0) {
    for (const [id, s] of topHistory(user, 3)) push(id, s / user.historyMax);
  }
  const catalog: Map<string, CatalogItem> = snapshot.catalog;
  const shared = acc.shared;
  const sharing: number[] = [];
  for (const [seed, w] of seeds) {
    const seedTags = catalog.get(seed)?.tags;
    if (!seedTags || seedTags.length === 0) continue;
    const seedIndex = dense.index.get(seed) ?? -1;
    sharing.length = 0;
    for (const t of seedTags) {
      const list = dense.tagItems.get(t);
      if (!list) continue;
      const n = Math.min(list.length, TAG_FANOUT);
      for (let j = 0; j < n; j++) {
        const i = list[j]!;
        if (i === seedIndex) continue;
        if (shared[i] === 0) sharing.push(i);
        shared[i]!++;
      }
    }
    // In first-seen order, as the candidates' content sums are order-sensitive in floating point.
    for (const i of sharing) {
      const count = shared[i]!;
      shared[i] = 0;
      acc.touch(i);
      acc.content[i]! += (w * count) / (seedTags.length + dense.tagCount[i]! - count);
    }
  }
}

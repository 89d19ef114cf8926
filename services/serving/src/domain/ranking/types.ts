/**
 * Types of the ranking engine: pure, deterministic functions from (snapshot, user state, request, config,
 * rules, now) to a ranked list. No HTTP, no storage, no clock reads: `now` is passed in.
 */

/** A neighbour list entry: item and association strength (higher is closer). */
export interface Neighbour {
  itemId: string;
  score: number;
}

export interface CatalogItem {
  itemId: string;
  title?: string;
  /** Lower-cased tags; `brand:x` / `category:y` prefixed tags feed brand/category rules. */
  tags: string[];
  price?: number;
  available: boolean;
  createdAt?: string;
}

/**
 * Everything serving holds in memory for one (tenant, surface, segment) signal version. Built once per
 * load (DB-only bulk load or artifact manifest) and shared read-only by all requests.
 */
export interface SignalSnapshot {
  tenantId: string;
  surface: string;
  segment: string;
  version: string;
  /** Popularity: item → time-decayed score, plus items sorted by score desc / item id asc. */
  popularity: Map<string, number>;
  popularityRanked: string[];
  /** Co-visitation neighbours (normalized), per item. */
  cooc: Map<string, Neighbour[]>;
  /** Learned item-to-item neighbours (e.g. EASE), per item. */
  i2i: Map<string, Neighbour[]>;
  /** Session next-item transitions, per item. */
  sessionNext: Map<string, Neighbour[]>;
  /** Each user's own history in the build window (decayed counts), keyed by (possibly hashed) user id. */
  userHistory: Map<string, Neighbour[]>;
  /** Every userHistory list is unique, positive and in (score desc, item id asc) order (buildSnapshot's). */
  historyCanonical?: boolean;
  /** Catalog (tags, availability, price). Items absent from the catalog are treated as available, untagged. */
  catalog: Map<string, CatalogItem>;
  /** Inverted tag index for content similarity: tag → item ids. */
  tagIndex: Map<string, string[]>;
  /** Approximate bytes held, for the snapshot-size metric. */
  approxBytes: number;
}

/** A recent interaction from the live events stream (newest first when passed to the engine). */
export interface RecentInteraction {
  itemId: string;
  type: string;
  at: number;
}

export type ExplainLevel = 'none' | 'summary' | 'full';

/** Blend weights. `pop`, `cooc`, `emb` keep the reference's names; the rest are our additional signals. */
export interface BlendWeights {
  pop: number;
  cooc: number;
  /** Similarity bucket (reference compatible): max of i2i, content, session when their own weights are absent. */
  emb: number;
  i2i?: number;
  content?: number;
  session?: number;
  /** The user's own history ("buy again"); 0 disables it. */
  history?: number;
}

export type AlgorithmMode = 'blend' | 'popularity' | 'cooc' | 'implicit';

export interface RankingConfig {
  mode: AlgorithmMode;
  weights: BlendWeights;
  /** Max items per response a pin rule can take (reference RECSYS_ALGO_RULES_MAX_PINS, default 3). */
  maxPins: number;
  /** 0 disables MMR; 1 keeps pure relevance order. */
  mmrLambda: number;
  /** Whether items the user already interacted with may be recommended again. */
  allowRepeats: boolean;
  /** Candidate fan-out per source before blending. */
  fanout: number;
  brandTagPrefixes: string[];
  categoryTagPrefixes: string[];
  /**
   * Per-request signal normalization (default `max`): `max` divides each signal by its largest value among
   * this request's candidates (popularity: by the snapshot's top item), so every source spans [0, 1] whatever
   * its artifact's scale; `saturating` is the reference's s/(s+1).
   */
  normalization?: 'max' | 'saturating';
  /**
   * Floor of the normalized history signal for any item the user has (default 0.5 in `max` normalization):
   * history = floor + (1 − floor)·s/max, so having bought an item at all counts more than how often.
   */
  historyFloor?: number;
  /**
   * Largest share of the k slots that items from the user's own history may take (default 1 = no cap). The
   * rest is back-filled by items the user does not have yet, which trades buy-again hits for discovery.
   */
  historyShare?: number;
  /**
   * Seed weight of a history item = (score / top score)^historySeedPower (default 1): 0 weighs every owned item
   * alike (as item-based models such as EASE do), 1 in proportion to how much the user bought it.
   */
  historySeedPower?: number;
  /**
   * Seeds of co-visitation in blend mode: `context` (default) = anchors and recent items only; `all` adds the
   * user's history items as i2i does.
   */
  coocSeeds?: 'context' | 'all';
  /** Hours before `now` within which live interactions are the user's context (default RECENT_WINDOW_HOURS). */
  recentWindowHours?: number;
  /** Top history items used as neighbour seeds (default HISTORY_SEEDS). */
  historySeeds?: number;
  /** Neighbours read per seed and source for a full-weight seed (default NEIGHBOURS_PER_SEED). */
  neighboursPerSeed?: number;
  /** Neighbours read per seed and source for any seed, however weak (default MIN_NEIGHBOURS_PER_SEED). */
  minNeighboursPerSeed?: number;
}

export type RuleAction = 'pin' | 'boost' | 'block';
export type RuleTargetType = 'item' | 'tag' | 'brand' | 'category';

/** A normalized merchandising rule (admin validates and normalizes the tenant's rules document). */
export interface Rule {
  id: string;
  action: RuleAction;
  targetType: RuleTargetType;
  /** Tag, brand or category value for non-item targets. */
  targetKey?: string;
  itemIds: string[];
  surface?: string;
  segment?: string;
  priority: number;
  boostValue?: number;
  maxPins?: number;
  startsAt?: number;
  endsAt?: number;
  enabled: boolean;
}

export interface RankingRequest {
  surface: string;
  segment: string;
  k: number;
  /** First non-empty of user_id, session_id, anonymous_id (used for history lookups). */
  subjectId?: string;
  anchors: string[];
  includeIds: string[];
  excludeIds: string[];
  requiredTags: string[];
  forbiddenTags: string[];
  maxPerTag: Record<string, number>;
  includeReasons: boolean;
  explain: ExplainLevel;
  /** Whether to return the filter/out-rank trace (admin only; enforced by the caller). */
  includeTrace: boolean;
}

export interface RankingInput {
  snapshot: SignalSnapshot | undefined;
  /** The user's live recent interactions from Redis, newest first. */
  recent: RecentInteraction[];
  request: RankingRequest;
  config: RankingConfig;
  rules: Rule[];
  /** Epoch milliseconds; rule windows and recency are evaluated against it. */
  now: number;
}

export interface RankedItem {
  itemId: string;
  rank: number;
  score: number;
  reasons?: string[];
  explain?: {
    signals: Record<string, number>;
    rules: string[];
  };
  pinned?: boolean;
}

export interface RankingWarning {
  code: string;
  detail: string;
}

export interface TraceEntry {
  itemId: string;
  /** e.g. `filtered:exclude_ids`, `filtered:forbidden_tag:x`, `blocked:rule[<id>]`, `outranked`, `max_per_tag:x`. */
  outcome: string;
  score?: number;
}

export interface RankingResult {
  items: RankedItem[];
  warnings: RankingWarning[];
  /** Present when request.includeTrace. */
  trace?: TraceEntry[];
  /** Label of what actually ranked (e.g. `blend_v1`, `popularity_v1`). */
  model: string;
}

/** Input of /v1/similar: anchor item, k, reasons flag. */
export interface SimilarInput {
  snapshot: SignalSnapshot | undefined;
  itemId: string;
  k: number;
  includeReasons: boolean;
  excludeIds: string[];
}

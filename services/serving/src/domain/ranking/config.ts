/**
 * Ranking configuration: the served default and the merge of tenant config, per-surface overrides,
 * experiment-variant overrides and request weights into one RankingConfig. Pure functions.
 */
import type { AlgorithmMode, BlendWeights, RankingConfig } from './types.js';

/** Weights as they appear in a tenant config document / request (snake-case keys, all optional here). */
export interface WeightsDoc {
  pop?: number;
  cooc?: number;
  emb?: number;
  i2i?: number;
  content?: number;
  session?: number;
  history?: number;
}

/** `ranking` block of a tenant config document (unknown keys are ignored). */
export interface RankingDoc {
  max_pins?: number;
  mmr_lambda?: number;
  allow_repeats?: boolean;
  fanout?: number;
  brand_tag_prefixes?: string[];
  category_tag_prefixes?: string[];
  normalization?: 'max' | 'saturating';
  history_floor?: number;
  history_share?: number;
  history_seeds?: number;
  neighbours_per_seed?: number;
  min_neighbours_per_seed?: number;
}

/** A layer that can override weights, algorithm and ranking options (tenant, surface, variant). */
export interface OverridesDoc {
  weights?: WeightsDoc;
  algo?: string;
  ranking?: RankingDoc;
}

export interface ExperimentVariantDoc {
  name: string;
  weight: number;
  overrides?: OverridesDoc;
}

export interface ExperimentDoc {
  id: string;
  enabled: boolean;
  surface?: string;
  traffic_percent: number;
  variants: ExperimentVariantDoc[];
  starts_at?: string;
  ends_at?: string;
}

/** The parts of the tenant config document (admin's `TenantConfig`) the ranking engine reads. */
export interface TenantConfigDoc extends OverridesDoc {
  flags?: Record<string, unknown>;
  limits?: { max_k?: number; max_exclude_ids?: number };
  surfaces?: Record<string, OverridesDoc | undefined>;
  experiments?: ExperimentDoc[];
}

export const DEFAULT_MAX_PINS = 3;
export const DEFAULT_FANOUT = 200;
export const MAX_FANOUT = 2000;

/**
 * The served default (mode `blend`, max-normalization, every signal in [0, 1] before weighting).
 *
 * - history 1.0 with presence floor 0.5: a user's own past items are the strongest predictor on repeat-purchase
 *   catalogs (the protocol's "buy again" baseline, Recall@20 0.35, beats every collaborative baseline), so any
 *   owned item scores ≥ 0.5 and the most-bought scores 1.0.
 * - i2i 0.3 and cooc 0.15: the learned item-to-item model and co-visitation of the user's history, anchors and
 *   recent items re-order the owned items by how well they fit the rest of the history and add new items on
 *   top of buy-again (EASE alone reaches 0.27); a new item that is a strong neighbour of several owned items can
 *   still out-rank a weakly owned one. Doubling them (0.6 / 0.3) lost recall on the validation split below.
 * - session 0.2: next-item transitions from the most recent items capture the current basket.
 * - content 0.1: tag similarity is weak evidence but reaches items without co-occurrence data (cold items).
 * - pop 0.1: time-decayed popularity is the back-fill and a mild prior; it never out-ranks a strong personal
 *   signal, and for a cold user it alone orders the list (the protocol's "last 30 days" row shows recency matters).
 * - emb 0: the reference's similarity bucket is not needed while i2i/content/session have their own weights.
 * - allowRepeats true and historyShare 1 (no cap on owned items): buy-again needs it. `ranking.history_share`
 *   (e.g. 0.5) reserves the rest of the list for items the user does not have, trading buy-again hits for
 *   discovery; `allow_repeats: false` gives a discovery-only list.
 * Sanity check on a validation split of the Online Retail protocol (train < 2011-10-09, validation up to the test
 * split 2011-11-09, no test-window data; proxy artifacts: basket co-visitation, cosine item-kNN as i2i,
 * popularity half-life 30 days, plain purchase counts as history): Recall@20 / NDCG@20 0.2984 / 0.2944 against
 * buy-again 0.2858 / 0.2817 and decayed popularity 0.0979 / 0.0956 (i2i 0.6, cooc 0.3, pop 0.15 gave 0.2900 /
 * 0.2826). With allow_repeats false the "new" Recall@20 was 0.0801 (popularity 0.0437). These values are the
 * starting point; the tuning proper happens on the validation split with the publisher's real artifacts.
 */
export function defaultRankingConfig(): RankingConfig {
  return {
    mode: 'blend',
    weights: { pop: 0.1, cooc: 0.15, emb: 0, i2i: 0.3, content: 0.1, session: 0.2, history: 1 },
    maxPins: DEFAULT_MAX_PINS,
    mmrLambda: 0,
    allowRepeats: true,
    fanout: DEFAULT_FANOUT,
    brandTagPrefixes: ['brand:'],
    categoryTagPrefixes: ['category:'],
    normalization: 'max',
    historyFloor: 0.5,
    historyShare: 1,
  };
}

const WEIGHT_KEYS = ['pop', 'cooc', 'emb', 'i2i', 'content', 'session', 'history'] as const;

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function applyWeights(target: BlendWeights, doc: WeightsDoc | undefined): void {
  if (!doc || typeof doc !== 'object') return;
  for (const key of WEIGHT_KEYS) {
    const v = doc[key];
    if (isFiniteNumber(v)) target[key] = Math.max(0, v);
  }
}

export function parseAlgorithmMode(algo: unknown): AlgorithmMode | undefined {
  if (typeof algo !== 'string') return undefined;
  const a = algo.trim().toLowerCase();
  if (a === 'popularity' || a === 'cooc' || a === 'implicit' || a === 'blend') return a;
  // Reference: anything else maps to blend.
  return a.length > 0 ? 'blend' : undefined;
}

function stringList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v
    .filter((s): s is string => typeof s === 'string' && s.trim().length > 0)
    .map((s) => s.trim().toLowerCase());
}

function applyLayer(cfg: RankingConfig, layer: OverridesDoc | undefined): void {
  if (!layer || typeof layer !== 'object') return;
  applyWeights(cfg.weights, layer.weights);
  const mode = parseAlgorithmMode(layer.algo);
  if (mode) cfg.mode = mode;
  const r = layer.ranking;
  if (!r || typeof r !== 'object') return;
  if (isFiniteNumber(r.max_pins)) cfg.maxPins = r.max_pins > 0 ? Math.floor(r.max_pins) : DEFAULT_MAX_PINS;
  if (isFiniteNumber(r.mmr_lambda)) cfg.mmrLambda = Math.min(1, Math.max(0, r.mmr_lambda));
  if (typeof r.allow_repeats === 'boolean') cfg.allowRepeats = r.allow_repeats;
  if (isFiniteNumber(r.fanout)) cfg.fanout = Math.min(MAX_FANOUT, Math.max(1, Math.floor(r.fanout)));
  const brands = stringList(r.brand_tag_prefixes);
  if (brands) cfg.brandTagPrefixes = brands;
  const categories = stringList(r.category_tag_prefixes);
  if (categories) cfg.categoryTagPrefixes = categories;
  if (r.normalization === 'max' || r.normalization === 'saturating') cfg.normalization = r.normalization;
  if (isFiniteNumber(r.history_floor)) cfg.historyFloor = Math.min(1, Math.max(0, r.history_floor));
  if (isFiniteNumber(r.history_share)) cfg.historyShare = Math.min(1, Math.max(0, r.history_share));
  if (isFiniteNumber(r.history_seeds)) cfg.historySeeds = clampInt(r.history_seeds, 0, MAX_SEED_BUDGET);
  if (isFiniteNumber(r.neighbours_per_seed))
    cfg.neighboursPerSeed = clampInt(r.neighbours_per_seed, 1, MAX_SEED_BUDGET);
  if (isFiniteNumber(r.min_neighbours_per_seed))
    cfg.minNeighboursPerSeed = clampInt(r.min_neighbours_per_seed, 0, MAX_SEED_BUDGET);
}

/** Upper bound of the per-request seed and neighbour budgets a tenant can configure. */
export const MAX_SEED_BUDGET = 500;

function clampInt(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(v)));
}

/**
 * Merges, in increasing precedence: `base` ← tenant config (top level) ← `surfaces[surface]` ← experiment
 * variant overrides ← request weights. Weights merge per key (a layer overrides only the keys it sets; negative
 * values clamp to 0 as in the reference, non-finite ones are ignored), so a reference-style `{pop, cooc, emb}` document keeps our additional
 * signals at their defaults unless it sets them too. `algo` values other than popularity/cooc/implicit mean blend.
 * The surface lookup is exact first, then case-insensitive. `base` is not mutated.
 */
export function mergeRankingConfig(
  base: RankingConfig,
  tenantConfig: TenantConfigDoc | null | undefined,
  surface: string,
  requestWeights?: WeightsDoc | null,
  variantOverrides?: OverridesDoc | null,
): RankingConfig {
  const cfg: RankingConfig = {
    ...base,
    weights: { ...base.weights },
    brandTagPrefixes: [...base.brandTagPrefixes],
    categoryTagPrefixes: [...base.categoryTagPrefixes],
  };
  if (tenantConfig && typeof tenantConfig === 'object') {
    applyLayer(cfg, tenantConfig);
    applyLayer(cfg, surfaceOverrides(tenantConfig, surface));
  }
  applyLayer(cfg, variantOverrides ?? undefined);
  applyWeights(cfg.weights, requestWeights ?? undefined);
  return cfg;
}

function surfaceOverrides(doc: TenantConfigDoc, surface: string): OverridesDoc | undefined {
  const surfaces = doc.surfaces;
  if (!surfaces || typeof surfaces !== 'object') return undefined;
  const exact = surfaces[surface];
  if (exact) return exact;
  const lower = surface.toLowerCase();
  const key = Object.keys(surfaces)
    .sort()
    .find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : surfaces[key];
}

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
  history_seed_power?: number;
  cooc_seeds?: 'context' | 'all';
  recent_window_hours?: number;
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
 * The served default (mode `blend`, max-normalization, every signal in [0, 1] before weighting), chosen on a
 * validation split of the Online Retail protocol that ends before its test window (train < 2011-10-09,
 * validation up to the test split 2011-11-09; `packages/bench/tune/validation-grid.ts`, the publisher's real
 * artifacts and this engine's real `rank()`; docs/benchmarks.md has the grid):
 *
 * - history 1.0 with presence floor 0.4: a user's own past items are the strongest predictor on repeat-purchase
 *   catalogs (the protocol's "buy again" baseline beats every collaborative one), so any owned item scores
 *   ≥ 0.4 and the most-bought scores 1.0; a strong new neighbour can still out-rank a weakly owned item.
 * - i2i 0.4, seeds = every owned item weighted √(score / top score) (`historySeedPower` 0.5), each read to its
 *   50 strongest neighbours: the learned item-to-item model (EASE) is the best source of items the user does
 *   not have; weighing seeds by the square root sits between EASE's uniform seeds and purchase counts and beat
 *   both.
 * - cooc 0.15 from anchors and recent items only (`coocSeeds: 'context'`): "bought together" with what is in
 *   front of the user; expanded from the whole history it cost Recall@20 on both variants.
 * - session 0.2: next-item transitions from the most recent items capture the current basket.
 * - content 0.1: tag similarity (seeded by anchors, recent items, else the top three owned items) reaches items
 *   without co-occurrence data; 0.1 beat 0 and 0.2.
 * - pop 0.15 over the publisher's 7-day-half-life popularity: recency matters on this catalog (the protocol's
 *   "last 30 days" row); the back-fill and the whole list for a cold user.
 * - emb 0: the reference's similarity bucket is not needed while i2i/content/session have their own weights.
 * - allowRepeats true and historyShare 1 (no cap on owned items): buy-again needs it. `ranking.history_share`
 *   (e.g. 0.5) reserves the rest of the list for items the user does not have; `allow_repeats: false` gives a
 *   discovery-only list.
 * Validation split, served default vs the previous one (pop 0.1, cooc 0.15 from history too, i2i 0.3, floor 0.5,
 * seeds by score, popularity half-life 14 d, EASE λ 500): all Recall/NDCG@20 0.3208 / 0.3117 vs 0.3160 / 0.3045,
 * new 0.1216 / 0.1026 vs 0.1131 / 0.0967.
 */
export function defaultRankingConfig(): RankingConfig {
  return {
    mode: 'blend',
    weights: { pop: 0.15, cooc: 0.15, emb: 0, i2i: 0.4, content: 0.1, session: 0.2, history: 1 },
    maxPins: DEFAULT_MAX_PINS,
    mmrLambda: 0,
    allowRepeats: true,
    fanout: DEFAULT_FANOUT,
    brandTagPrefixes: ['brand:'],
    categoryTagPrefixes: ['category:'],
    normalization: 'max',
    historyFloor: 0.4,
    historyShare: 1,
    historySeedPower: 0.5,
    coocSeeds: 'context',
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
  if (r.cooc_seeds === 'context' || r.cooc_seeds === 'all') cfg.coocSeeds = r.cooc_seeds;
  if (isFiniteNumber(r.recent_window_hours))
    cfg.recentWindowHours = Math.min(24 * 365, Math.max(0, r.recent_window_hours));
  if (isFiniteNumber(r.history_seed_power))
    cfg.historySeedPower = Math.min(4, Math.max(0, r.history_seed_power));
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

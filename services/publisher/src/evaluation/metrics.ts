/**
 * Ranking metrics at k with binary gains (definitions of the reference recsys-eval, docs/evaluation.md).
 * `recs` is the list in rank order; `relevant` the items with a relevant outcome for the case. Pure.
 *
 * NDCG and hit rate are the publisher gate's own (domain/eval/metrics.ts). Precision and recall follow the
 * reference evaluator instead of the gate: hits / len(top-k) (not / k) and hits / |relevant| (not
 * / min(k, |relevant|)); they agree with the gate whenever the list fills k and |relevant| ≤ k.
 */
import { hitRateAtK, ndcgAtK } from '../domain/eval/metrics.js';

function hitFlags(recs: readonly string[], relevant: ReadonlySet<string>, k: number): boolean[] {
  const flags: boolean[] = [];
  for (let i = 0; i < Math.min(k, recs.length); i++) flags.push(relevant.has(recs[i]!));
  return flags;
}

/** hits in top-k / len(top-k); 0 for an empty list. */
export function precisionAt(recs: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const flags = hitFlags(recs, relevant, k);
  return flags.length ? flags.filter(Boolean).length / flags.length : 0;
}

/** hits in top-k / |relevant|; 0 when nothing is relevant. */
export function recallAt(recs: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return relevant.size ? hitFlags(recs, relevant, k).filter(Boolean).length / relevant.size : 0;
}

/** 1 when any of the top-k is relevant. */
export const hitRateAt = hitRateAtK;

/** Σ precision@i over hit positions i ≤ k, divided by min(|relevant|, k). */
export function averagePrecisionAt(
  recs: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): number {
  const denominator = Math.min(relevant.size, k);
  if (!denominator) return 0;
  let hits = 0;
  let sum = 0;
  hitFlags(recs, relevant, k).forEach((hit, i) => {
    if (hit) sum += ++hits / (i + 1);
  });
  return sum / denominator;
}

/** DCG = Σ 1/log2(i+2) over hits (0-based i) ÷ IDCG of min(|relevant|, k) hits at the top. */
export const ndcgAt = ndcgAtK;

/**
 * Intra-list diversity of the top-k: mean pairwise dissimilarity. With tags, dissimilarity = 1 − Jaccard(tags);
 * an item without known tags is compared by id (1 unless it is the same item). Null below two items.
 */
export function intraListDiversity(
  recs: readonly string[],
  k: number,
  tagsOf?: (itemId: string) => ReadonlySet<string> | undefined,
): number | null {
  const top = recs.slice(0, k);
  if (top.length < 2) return null;
  const pairCount = (top.length * (top.length - 1)) / 2;
  if (!tagsOf) {
    // Items compared by id: the share of pairs of different items.
    const counts = new Map<string, number>();
    for (const item of top) counts.set(item, (counts.get(item) ?? 0) + 1);
    let same = 0;
    for (const c of counts.values()) same += (c * (c - 1)) / 2;
    return 1 - same / pairCount;
  }
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < top.length; i++) {
    for (let j = i + 1; j < top.length; j++) {
      sum += dissimilarity(top[i]!, top[j]!, tagsOf);
      pairs++;
    }
  }
  return sum / pairs;
}

function dissimilarity(
  a: string,
  b: string,
  tagsOf?: (itemId: string) => ReadonlySet<string> | undefined,
): number {
  if (a === b) return 0;
  const ta = tagsOf?.(a);
  const tb = tagsOf?.(b);
  if (!ta || !tb || (ta.size === 0 && tb.size === 0)) return 1;
  let shared = 0;
  for (const tag of ta) if (tb.has(tag)) shared++;
  const union = ta.size + tb.size - shared;
  return union ? 1 - shared / union : 1;
}

export const CASE_METRICS = ['precision', 'recall', 'map', 'ndcg', 'hitrate'] as const;
export type CaseMetric = (typeof CASE_METRICS)[number];

/** All case metrics in one pass over the top-k (same definitions as the functions above; a test keeps them equal). */
export function caseMetrics(
  recs: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): Record<CaseMetric, number> {
  const n = Math.min(k, recs.length);
  let hits = 0;
  let apSum = 0;
  let dcg = 0;
  for (let i = 0; i < n; i++) {
    if (!relevant.has(recs[i]!)) continue;
    hits++;
    apSum += hits / (i + 1);
    dcg += 1 / Math.log2(i + 2);
  }
  const idealHits = Math.min(relevant.size, k);
  let ideal = 0;
  for (let i = 0; i < idealHits; i++) ideal += 1 / Math.log2(i + 2);
  return {
    precision: n ? hits / n : 0,
    recall: relevant.size ? hits / relevant.size : 0,
    map: idealHits ? apSum / idealHits : 0,
    ndcg: ideal ? dcg / ideal : 0,
    hitrate: hits > 0 ? 1 : 0,
  };
}

/** Streaming aggregate of one slice (global, a segment, a surface): memory O(distinct items of the slice). */
export class RankingAccumulator {
  cases = 0;
  casesWithRelevant = 0;
  private readonly sums: Record<CaseMetric, number> = {
    precision: 0,
    recall: 0,
    map: 0,
    ndcg: 0,
    hitrate: 0,
  };
  private diversitySum = 0;
  private diversityCases = 0;
  private readonly topCounts = new Map<string, number>();
  private readonly listCounts = new Map<string, number>();
  private listSlots = 0;
  private readonly relevantItems = new Set<string>();

  constructor(readonly k: number) {}

  add(
    recs: readonly string[],
    relevant: ReadonlySet<string>,
    metrics: Record<CaseMetric, number>,
    diversity: number | null,
  ): void {
    this.cases++;
    if (relevant.size) this.casesWithRelevant++;
    for (const name of CASE_METRICS) this.sums[name] += metrics[name];
    if (diversity !== null) {
      this.diversitySum += diversity;
      this.diversityCases++;
    }
    recs.forEach((item, i) => {
      this.listCounts.set(item, (this.listCounts.get(item) ?? 0) + 1);
      this.listSlots++;
      if (i < this.k) this.topCounts.set(item, (this.topCounts.get(item) ?? 0) + 1);
    });
    for (const item of relevant) this.relevantItems.add(item);
  }

  /** Metric values named `<metric>@k`. `catalogSize` null → coverage is relative to the items seen. */
  summary(catalogSize: number | null): Record<string, number> {
    const k = this.k;
    const mean = (sum: number) => (this.cases ? sum / this.cases : 0);
    const out: Record<string, number> = {};
    for (const name of CASE_METRICS) out[`${name}@${k}`] = mean(this.sums[name]);
    let seen = this.relevantItems.size;
    for (const item of this.listCounts.keys()) if (!this.relevantItems.has(item)) seen++;
    const denominator = catalogSize ?? seen;
    out[`coverage@${k}`] = denominator ? this.topCounts.size / denominator : 0;
    let topSlots = 0;
    let selfInformation = 0;
    for (const [item, count] of this.topCounts) {
      topSlots += count;
      selfInformation += count * -Math.log2((this.listCounts.get(item) ?? 0) / this.listSlots);
    }
    out[`novelty@${k}`] = topSlots ? selfInformation / topSlots : 0;
    out[`diversity@${k}`] = this.diversityCases ? this.diversitySum / this.diversityCases : 0;
    let entropy = 0;
    for (const count of this.topCounts.values()) entropy -= (count / topSlots) * Math.log2(count / topSlots);
    out[`entropy@${k}`] = this.topCounts.size > 1 ? entropy / Math.log2(this.topCounts.size) : 0;
    return out;
  }
}

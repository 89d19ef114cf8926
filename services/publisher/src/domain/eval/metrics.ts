/**
 * Offline ranking metrics at k with binary relevance. Pure; the evaluation gate and `eval` use them.
 * Conventions (shared/datasets/online-retail/README.md): Recall@k = hits / min(k, |relevant|); NDCG@k with
 * gains 1/log2(rank+1) over the ideal ordering of min(k, |relevant|) hits; HR@k = 1 when any hit;
 * precision@k = hits / k; coverage@k = distinct recommended items / catalog size.
 */
export function hitsAtK(recs: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let hits = 0;
  for (let i = 0; i < Math.min(k, recs.length); i++) if (relevant.has(recs[i]!)) hits++;
  return hits;
}

export function precisionAtK(recs: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return k > 0 ? hitsAtK(recs, relevant, k) / k : 0;
}

export function recallAtK(recs: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const denominator = Math.min(k, relevant.size);
  return denominator > 0 ? hitsAtK(recs, relevant, k) / denominator : 0;
}

export function ndcgAtK(recs: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, recs.length); i++) if (relevant.has(recs[i]!)) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

export function hitRateAtK(recs: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return hitsAtK(recs, relevant, k) > 0 ? 1 : 0;
}

export function coverageAtK(lists: Iterable<readonly string[]>, k: number, catalogSize: number): number {
  if (catalogSize <= 0) return 0;
  const seen = new Set<string>();
  for (const recs of lists) for (let i = 0; i < Math.min(k, recs.length); i++) seen.add(recs[i]!);
  return seen.size / catalogSize;
}

export interface MetricSummary {
  k: number;
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  hit_rate: number;
  coverage: number;
}

/** Averages per-user metrics over the users evaluated (users without relevant items are skipped). */
export function summarize(
  results: { recs: readonly string[]; relevant: ReadonlySet<string> }[],
  k: number,
  catalogSize: number,
): MetricSummary {
  const users = results.filter((r) => r.relevant.size > 0);
  const mean = (f: (r: (typeof users)[number]) => number) =>
    users.length ? users.reduce((sum, r) => sum + f(r), 0) / users.length : 0;
  return {
    k,
    users: users.length,
    precision: mean((r) => precisionAtK(r.recs, r.relevant, k)),
    recall: mean((r) => recallAtK(r.recs, r.relevant, k)),
    ndcg: mean((r) => ndcgAtK(r.recs, r.relevant, k)),
    hit_rate: mean((r) => hitRateAtK(r.recs, r.relevant, k)),
    coverage: coverageAtK(
      users.map((r) => r.recs),
      k,
      catalogSize,
    ),
  };
}

export type GateMetric = 'precision' | 'recall' | 'ndcg' | 'hit_rate' | 'coverage';

export interface GateDecision {
  regressed: boolean;
  reasons: string[];
}

/**
 * A candidate regresses when, for any gate metric, candidate < baseline × (1 − tolerance) (relative
 * tolerance; 0.02 allows a 2 % drop). Without a baseline nothing can regress.
 */
export function compareToBaseline(
  candidate: MetricSummary,
  baseline: MetricSummary | null,
  metrics: readonly GateMetric[],
  tolerance: number,
): GateDecision {
  if (!baseline) return { regressed: false, reasons: ['no current version: nothing to compare against'] };
  const reasons: string[] = [];
  let regressed = false;
  for (const metric of metrics) {
    const c = candidate[metric];
    const b = baseline[metric];
    const floor = b * (1 - tolerance);
    if (c + 1e-12 < floor) {
      regressed = true;
      reasons.push(
        `${metric}@${candidate.k} ${c.toFixed(4)} < ${floor.toFixed(4)} (current ${b.toFixed(4)}, tolerance ${tolerance})`,
      );
    } else
      reasons.push(
        `${metric}@${candidate.k} ${c.toFixed(4)} ≥ ${floor.toFixed(4)} (current ${b.toFixed(4)})`,
      );
  }
  return { regressed, reasons };
}

/**
 * `eval offline`: ranking metrics at k over logged exposures, with outcomes as relevance; regression gate.
 * Memory: the outcome index (see join.ts), the set of exposure request ids seen (duplicate detection), and per slice
 * the item counts needed for coverage / novelty / entropy. Exposures themselves are streamed.
 */
import { readFile } from 'node:fs/promises';
import { baseReport, DailySeries, EvalExit, tidy, type RunContext } from './common.js';
import { EvalInputError, readValid } from './jsonl.js';
import { OutcomeIndex, rankedItems, Window } from './join.js';
import {
  CASE_METRICS,
  caseMetrics,
  intraListDiversity,
  RankingAccumulator,
  type CaseMetric,
} from './metrics.js';
import type { EvalReport, SliceMetrics } from './report.js';
import { CatalogUpsertLine, EvalExposureLine } from './schemas.js';
import { createRng, percentile, poissonOne } from './stats.js';

export interface OfflineOptions {
  exposures: string;
  outcomes: string;
  k: number;
  relevantTypes: string[];
  attributionWindowMs: number;
  catalog?: string;
  catalogSize?: number;
  bootstrap: number;
  seed: number;
  ciLevel: number;
  baseline?: string;
  tolerances?: Record<string, number>;
}

interface Catalog {
  size: number;
  tags: Map<string, Set<string>>;
}

async function loadCatalog(path: string): Promise<Catalog> {
  const tags = new Map<string, Set<string>>();
  for await (const { value } of readValid(path, CatalogUpsertLine, 'catalog.upsert', 'catalog')) {
    tags.set(value.item.item_id, new Set(value.item.tags.map((t) => t.trim().toLowerCase()).filter(Boolean)));
  }
  return { size: tags.size, tags };
}

function sliceOf(acc: RankingAccumulator, catalogSize: number | null): SliceMetrics {
  const metrics = Object.fromEntries(Object.entries(acc.summary(catalogSize)).map(([k, v]) => [k, tidy(v)]));
  return { cases: acc.cases, cases_with_relevant: acc.casesWithRelevant, metrics };
}

/** Reads the global metrics of a baseline: an offline report of this tool, or a plain {metric: value} object. */
export async function loadBaselineMetrics(path: string): Promise<Record<string, number>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new EvalInputError(`--baseline: cannot read ${path} (${(error as Error).message})`);
  }
  const metrics = (doc as { offline?: { global?: { metrics?: unknown } } })?.offline?.global?.metrics ?? doc;
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw new EvalInputError(`--baseline: ${path} is neither an offline report nor an object of metrics`);
  }
  return Object.fromEntries(
    Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
}

export async function runOffline(options: OfflineOptions, context: RunContext): Promise<EvalReport> {
  const { k } = options;
  const relevantTypes = new Set(options.relevantTypes);
  const index = await OutcomeIndex.load(options.outcomes, options.attributionWindowMs);
  const catalog = options.catalog ? await loadCatalog(options.catalog) : null;
  const catalogSize = options.catalogSize ?? catalog?.size ?? null;
  const tagsOf = catalog ? (item: string) => catalog.tags.get(item) : undefined;

  const global = new RankingAccumulator(k);
  const bySegment = new Map<string, RankingAccumulator>();
  const bySurface = new Map<string, RankingAccumulator>();
  const ndcgDaily = new DailySeries(`ndcg@${k}`);
  const hitDaily = new DailySeries(`hitrate@${k}`);
  const seen = new Set<string>();
  const window = new Window();
  let exposureLines = 0;
  let duplicates = 0;

  const replicates = options.bootstrap;
  const rng = createRng(options.seed);
  const bootSums = Array.from({ length: replicates }, () => new Float64Array(CASE_METRICS.length));
  const bootN = new Float64Array(replicates);

  for await (const { value: exposure } of readValid(
    options.exposures,
    EvalExposureLine,
    'exposure',
    'exposures',
  )) {
    exposureLines++;
    if (seen.has(exposure.request_id)) {
      duplicates++;
      continue;
    }
    seen.add(exposure.request_id);
    const ts = Date.parse(exposure.occurred_at);
    window.add(ts);
    const recs = rankedItems(exposure);
    const relevant = new Set<string>();
    for (const outcome of index.attributed(exposure, ts, false)) {
      if (relevantTypes.has(outcome.type)) relevant.add(outcome.item_id);
    }
    const metrics = caseMetrics(recs, relevant, k);
    const diversity = intraListDiversity(recs, k, tagsOf);
    global.add(recs, relevant, metrics, diversity);
    for (const [map, key] of [
      [bySegment, exposure.segment],
      [bySurface, exposure.surface],
    ] as const) {
      let acc = map.get(key);
      if (!acc) map.set(key, (acc = new RankingAccumulator(k)));
      acc.add(recs, relevant, metrics, diversity);
    }
    ndcgDaily.add('all', ts, metrics.ndcg);
    hitDaily.add('all', ts, metrics.hitrate);
    for (let b = 0; b < replicates; b++) {
      const weight = poissonOne(rng);
      if (!weight) continue;
      bootN[b] = bootN[b]! + weight;
      const sums = bootSums[b]!;
      CASE_METRICS.forEach((name, i) => (sums[i] = sums[i]! + weight * metrics[name]));
    }
  }

  const globalSlice = sliceOf(global, catalogSize);
  if (replicates > 0 && global.cases > 0) {
    const tail = (1 - options.ciLevel) / 2;
    globalSlice.intervals = {};
    CASE_METRICS.forEach((name: CaseMetric, i) => {
      const means = bootSums
        .map((sums, b) => (bootN[b]! > 0 ? sums[i]! / bootN[b]! : NaN))
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      globalSlice.intervals![`${name}@${k}`] = {
        lo: tidy(percentile(means, tail)),
        hi: tidy(percentile(means, 1 - tail)),
      };
    });
  }
  const slices = (map: Map<string, RankingAccumulator>) =>
    Object.fromEntries(
      [...map.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, acc]) => [key, sliceOf(acc, catalogSize)]),
    );

  let gates: NonNullable<EvalReport['offline']>['gates'] = null;
  if (options.baseline) {
    const baseline = await loadBaselineMetrics(options.baseline);
    const tolerances =
      options.tolerances ??
      Object.fromEntries(CASE_METRICS.map((name) => [`${name}@${k}`, 0] as [string, number]));
    const results = Object.entries(tolerances).map(([metric, tolerance]) => {
      const b = baseline[metric];
      const c = globalSlice.metrics[metric];
      if (b === undefined || c === undefined) {
        return { metric, baseline: b ?? null, candidate: c ?? null, delta: null, tolerance, passed: false };
      }
      const delta = tidy(c - b);
      return { metric, baseline: b, candidate: c, delta, tolerance, passed: delta >= -tolerance - 1e-12 };
    });
    gates = { baseline: options.baseline, passed: results.every((r) => r.passed), results };
  }

  window.merge(index.window);
  const joined = index.joinedCount();
  const warnings: string[] = [];
  if (duplicates)
    warnings.push(`${duplicates} duplicate exposure request id(s): only the first exposure of each was used`);
  const joinRate = index.outcomes ? joined / index.outcomes : null;
  if (joinRate !== null && joinRate < 0.95) {
    warnings.push(`outcome join rate ${joinRate.toFixed(4)} is below 0.95: metrics may not be trustworthy`);
  }
  if (global.cases === 0) warnings.push('no exposures: every metric is 0');
  const regressed = gates !== null && !gates.passed;
  return {
    ...baseReport(
      'offline',
      context,
      { ...options, relevantTypes: [...relevantTypes] },
      {
        exposures: options.exposures,
        outcomes: options.outcomes,
        ...(options.catalog ? { catalog: options.catalog } : {}),
      },
    ),
    window: window.toJSON(),
    counts: {
      exposure_lines: exposureLines,
      exposures: global.cases,
      duplicate_exposure_request_ids: duplicates,
      outcomes: index.outcomes,
      outcomes_joined: joined,
      outcome_join_rate: joinRate === null ? 0 : tidy(joinRate),
      outcomes_without_request_id: index.withoutRequestId,
    },
    status: regressed ? 'regressed' : 'ok',
    exit_code: regressed ? EvalExit.ERROR : EvalExit.OK,
    warnings,
    series: [...ndcgDaily.toSeries(), ...hitDaily.toSeries()],
    offline: {
      k,
      relevant_types: [...relevantTypes],
      attribution_window_ms: options.attributionWindowMs,
      catalog_size: catalogSize,
      coverage_basis: catalogSize === null ? 'items_seen' : 'catalog',
      diversity_basis: catalog ? 'tags' : 'items',
      bootstrap: replicates > 0 ? { replicates, seed: options.seed, ci_level: options.ciLevel } : null,
      global: globalSlice,
      by_segment: slices(bySegment),
      by_surface: slices(bySurface),
      gates,
    },
  };
}

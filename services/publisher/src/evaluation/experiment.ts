/**
 * `eval experiment`: per-variant exposure metrics with delta-method confidence intervals, relative lift against
 * control, a sample-ratio-mismatch check, guardrails and a ship / hold / fail decision.
 *
 * Variants come from the assignment events of the experiment when there are any, else from the exposures' own
 * `experiment` field (serving logs the variant it assigned with every exposure).
 *
 * Memory: assignments of the experiment (by request id and by subject), the units counted for the SRM check, the
 * outcome index, the set of exposure request ids (duplicate detection), and O(variants × metrics) running sums.
 * Exposures are streamed.
 */
import { baseReport, DailySeries, EvalExit, tidy, type RunContext } from './common.js';
import { EvalInputError, readValid } from './jsonl.js';
import { OutcomeIndex, subjectKeys, Window } from './join.js';
import type { Comparison, EvalReport, IntervalValue } from './report.js';
import {
  CLICK_TYPE,
  CONVERSION_TYPE,
  EvalAssignmentLine,
  EvalExposureLine,
  NEGATIVE_TYPE,
} from './schemas.js';
import { chiSquareTest, Moments, normalQuantile, twoSidedP } from './stats.js';

/** Per-exposure metrics; `higher` says which direction is an improvement. */
export const EXPERIMENT_METRICS = {
  ctr: { higher: true, describe: 'exposures with at least one click / exposures' },
  conversion_rate: { higher: true, describe: 'exposures with at least one purchase / exposures' },
  revenue_per_exposure: { higher: true, describe: 'Σ purchase value / exposures' },
  add_to_cart_rate: { higher: true, describe: 'exposures with at least one add_to_cart / exposures' },
  dismiss_rate: { higher: false, describe: 'exposures with at least one dismiss / exposures' },
  empty_rate: { higher: false, describe: 'exposures with no items / exposures' },
} as const;
export type ExperimentMetric = keyof typeof EXPERIMENT_METRICS;
export const PRIMARY_METRICS = ['ctr', 'conversion_rate', 'revenue_per_exposure'] as const;

export function isExperimentMetric(name: string): name is ExperimentMetric {
  return Object.hasOwn(EXPERIMENT_METRICS, name);
}

export type Guardrail =
  | { spec: string; metric: ExperimentMetric; type: 'relative'; tolerance: number }
  | { spec: string; metric: ExperimentMetric; type: 'max' | 'min'; threshold: number };

/**
 * `metric:tolerance` — breach when the variant is worse than control by more than `tolerance` (relative change in
 * the harmful direction; absolute change when the control value is 0); `metric<=x` / `metric>=x` — breach when the
 * variant's value is above / below x.
 */
export function parseGuardrails(text: string): Guardrail[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((spec): Guardrail => {
      const bound = /^([a-z_]+)\s*(<=|>=)\s*(-?\d+(?:\.\d+)?)$/.exec(spec);
      const relative = /^([a-z_]+)(?::(\d+(?:\.\d+)?))?$/.exec(spec);
      const metric = (bound ?? relative)?.[1];
      if (!metric || !isExperimentMetric(metric)) {
        throw new EvalInputError(
          `--guardrails: cannot parse "${spec}" (use metric:tolerance, metric<=value or metric>=value; metrics: ${Object.keys(EXPERIMENT_METRICS).join(', ')})`,
        );
      }
      if (bound)
        return { spec, metric, type: bound[2] === '<=' ? 'max' : 'min', threshold: Number(bound[3]) };
      return { spec, metric, type: 'relative', tolerance: Number(relative![2] ?? 0) };
    });
}

/** `A=50,B=50` → ordered [[A, 50], [B, 50]]. */
export function parseSplit(text: string): [string, number][] {
  const entries = text.split(',').map((part) => {
    const match = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match || Number(match[2]) < 0)
      throw new EvalInputError(`--split: cannot parse "${part}" (use A=50,B=50)`);
    return [match[1]!, Number(match[2])] as [string, number];
  });
  if (entries.reduce((s, [, w]) => s + w, 0) <= 0)
    throw new EvalInputError('--split: weights must not all be 0');
  return entries;
}

export interface ExperimentOptions {
  exposures: string;
  outcomes: string;
  /**
   * Assignment events (ingest `assignment` lines). Optional: without it, or when it holds no line of the
   * experiment, each exposure's own `experiment {id, variant}` (set by serving) is its assignment.
   */
  assignments?: string;
  experiment: string;
  primary: (typeof PRIMARY_METRICS)[number];
  guardrails: Guardrail[];
  alpha: number;
  control?: string;
  candidate?: string;
  split?: [string, number][];
  srmAlpha: number;
  srmMinSample: number;
  attributionWindowMs: number;
}

class VariantStats {
  assignments = 0;
  exposures = 0;
  clicks = 0;
  conversions = 0;
  revenue = 0;
  readonly metrics = new Map<ExperimentMetric, Moments>(
    (Object.keys(EXPERIMENT_METRICS) as ExperimentMetric[]).map((m) => [m, new Moments()]),
  );
}

function meanInterval(m: Moments, z: number): IntervalValue {
  const half = z * Math.sqrt(m.variance / Math.max(m.n, 1));
  return { value: tidy(m.mean), lo: m.n ? tidy(m.mean - half) : null, hi: m.n ? tidy(m.mean + half) : null };
}

/** Difference of means (Welch / unpooled standard error) and relative lift with a delta-method interval. */
export function compare(
  control: Moments,
  variant: Moments,
  alpha: number,
): Omit<Comparison, 'variant' | 'metric'> {
  const z = normalQuantile(1 - alpha / 2);
  const diff = variant.mean - control.mean;
  const varC = control.n ? control.variance / control.n : 0;
  const varV = variant.n ? variant.variance / variant.n : 0;
  const se = Math.sqrt(varC + varV);
  let zStat: number | null;
  let p: number | null;
  if (!control.n || !variant.n) {
    zStat = null;
    p = null;
  } else if (se > 0) {
    zStat = diff / se;
    p = twoSidedP(zStat);
  } else {
    zStat = diff === 0 ? 0 : null;
    p = diff === 0 ? 1 : 0;
  }
  let lift: IntervalValue | null = null;
  if (control.mean !== 0) {
    const m = control.mean;
    const rel = diff / m;
    const seRel = Math.sqrt(varV / (m * m) + (variant.mean * variant.mean * varC) / m ** 4);
    lift = { value: tidy(rel), lo: tidy(rel - z * seRel), hi: tidy(rel + z * seRel) };
  }
  return {
    control_value: tidy(control.mean),
    variant_value: tidy(variant.mean),
    diff: { value: tidy(diff), lo: tidy(diff - z * se), hi: tidy(diff + z * se) },
    relative_lift: lift,
    z: zStat === null ? null : tidy(zStat),
    p_value: p === null ? null : tidy(p),
    significant: p !== null && p < alpha,
  };
}

export async function runExperiment(options: ExperimentOptions, context: RunContext): Promise<EvalReport> {
  const warnings: string[] = [];
  const window = new Window();
  // 1. Assignments of this experiment: by request id and by subject; units counted once (first variant wins).
  const byRequest = new Map<string, string>();
  const bySubject = new Map<string, string>();
  const unitVariant = new Map<string, string>();
  const stats = new Map<string, VariantStats>();
  const statsOf = (variant: string) => {
    let s = stats.get(variant);
    if (!s) stats.set(variant, (s = new VariantStats()));
    return s;
  };
  let assignmentLines = 0;
  let conflictingUnits = 0;
  /** Counts a unit once for the SRM check (first variant wins); a later different variant is a conflict. */
  const countUnit = (unit: string, variant: string) => {
    const previous = unitVariant.get(unit);
    if (previous === undefined) {
      unitVariant.set(unit, variant);
      statsOf(variant).assignments++;
    } else if (previous !== variant) conflictingUnits++;
  };
  if (options.assignments) {
    for await (const { value } of readValid(
      options.assignments,
      EvalAssignmentLine,
      'assignment',
      'assignments',
    )) {
      if (value.experiment_id !== options.experiment) continue;
      assignmentLines++;
      window.add(Date.parse(value.occurred_at));
      if (value.request_id && !byRequest.has(value.request_id))
        byRequest.set(value.request_id, value.variant);
      const keys = subjectKeys(value);
      for (const key of keys) if (!bySubject.has(key)) bySubject.set(key, value.variant);
      countUnit(
        keys[0] ?? (value.request_id ? `r:${value.request_id}` : `e:${value.event_id}`),
        value.variant,
      );
    }
  }
  // Without assignment lines of the experiment, the exposures' own `experiment` field is the assignment and the
  // SRM check counts the exposures' units (user, anonymous or session id, else request id).
  const assignmentSource: 'assignments' | 'exposures' = assignmentLines > 0 ? 'assignments' : 'exposures';

  // 2. Outcomes, then 3. exposures streamed past them.
  const index = await OutcomeIndex.load(options.outcomes, options.attributionWindowMs);
  const daily = new DailySeries(options.primary);
  const seen = new Set<string>();
  let exposureLines = 0;
  let duplicates = 0;
  let unassigned = 0;
  let mismatched = 0;
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
    let variant = byRequest.get(exposure.request_id);
    if (variant === undefined) {
      for (const key of subjectKeys(exposure)) {
        variant = bySubject.get(key);
        if (variant !== undefined) break;
      }
    }
    if (variant === undefined && exposure.experiment?.id === options.experiment)
      variant = exposure.experiment.variant;
    if (variant === undefined) {
      unassigned++;
      continue;
    }
    if (exposure.experiment?.id === options.experiment && exposure.experiment.variant !== variant)
      mismatched++;
    if (assignmentSource === 'exposures') {
      countUnit(subjectKeys(exposure)[0] ?? `r:${exposure.request_id}`, variant);
    }
    const ts = Date.parse(exposure.occurred_at);
    window.add(ts);
    const outcomes = index.attributed(exposure, ts, true);
    const has = (type: string) => (outcomes.some((o) => o.type === type) ? 1 : 0);
    const revenue = outcomes.filter((o) => o.type === CONVERSION_TYPE).reduce((s, o) => s + o.value, 0);
    const values: Record<ExperimentMetric, number> = {
      ctr: has(CLICK_TYPE),
      conversion_rate: has(CONVERSION_TYPE),
      revenue_per_exposure: revenue,
      add_to_cart_rate: has('add_to_cart'),
      dismiss_rate: has(NEGATIVE_TYPE),
      empty_rate: exposure.items.length ? 0 : 1,
    };
    const s = statsOf(variant);
    s.exposures++;
    s.clicks += values.ctr;
    s.conversions += values.conversion_rate;
    s.revenue += revenue;
    for (const [metric, moments] of s.metrics) moments.add(values[metric]);
    daily.add(variant, ts, values[options.primary]);
  }
  if (stats.size === 0) {
    throw new EvalInputError(
      `no assignment for experiment "${options.experiment}"${options.assignments ? ` in ${options.assignments}` : ''} and no exposure in ${options.exposures} carries it`,
    );
  }
  window.merge(index.window);
  if (conflictingUnits)
    warnings.push(
      `${conflictingUnits} ${assignmentSource === 'assignments' ? 'assignment' : 'exposure'}(s) put an already assigned unit in another variant (first kept)`,
    );
  if (duplicates)
    warnings.push(`${duplicates} duplicate exposure request id(s): only the first exposure of each was used`);
  if (mismatched)
    warnings.push(
      `${mismatched} exposure(s) carry a variant that differs from their assignment (assignment used)`,
    );

  // 4. Variant order, control and candidate.
  const splitNames = options.split?.map(([name]) => name) ?? [];
  const variants = [...splitNames, ...[...stats.keys()].filter((v) => !splitNames.includes(v)).sort()];
  for (const v of variants) statsOf(v);
  const control = options.control ?? variants[0]!;
  if (!stats.has(control))
    throw new EvalInputError(`--control: variant "${control}" has no assignment or exposure`);
  const others = variants.filter((v) => v !== control);
  if (options.candidate && !others.includes(options.candidate)) {
    throw new EvalInputError(
      `--candidate: variant "${options.candidate}" is not a non-control variant (${others.join(', ')})`,
    );
  }
  const candidate =
    options.candidate ??
    [...others].sort((a, b) => stats.get(b)!.exposures - stats.get(a)!.exposures || a.localeCompare(b))[0] ??
    null;

  const z = normalQuantile(1 - options.alpha / 2);
  const controlStats = stats.get(control)!;
  const comparisons: Comparison[] = [];
  for (const variant of others) {
    for (const metric of Object.keys(EXPERIMENT_METRICS) as ExperimentMetric[]) {
      comparisons.push({
        variant,
        metric,
        ...compare(
          controlStats.metrics.get(metric)!,
          stats.get(variant)!.metrics.get(metric)!,
          options.alpha,
        ),
      });
    }
  }

  // 5. Sample ratio mismatch on assignment units.
  const expectedWeights = options.split
    ? Object.fromEntries(options.split)
    : Object.fromEntries(variants.map((v) => [v, 1]));
  const srmVariants = variants.filter((v) => Object.hasOwn(expectedWeights, v));
  const unexpected = variants.filter(
    (v) => !Object.hasOwn(expectedWeights, v) && stats.get(v)!.assignments > 0,
  );
  const observed = srmVariants.map((v) => stats.get(v)!.assignments);
  const test = chiSquareTest(
    observed,
    srmVariants.map((v) => expectedWeights[v]!),
  );
  const totalUnits = observed.reduce((s, v) => s + v, 0);
  const weightSum = srmVariants.reduce((s, v) => s + expectedWeights[v]!, 0);
  const srmDetected =
    unexpected.length > 0 || (totalUnits >= options.srmMinSample && test.p < options.srmAlpha);
  if (unexpected.length) warnings.push(`variant(s) ${unexpected.join(', ')} are assigned but not in --split`);
  if (totalUnits < options.srmMinSample) {
    warnings.push(
      `only ${totalUnits} assignment unit(s): the SRM check needs at least ${options.srmMinSample}`,
    );
  }

  // 6. Guardrails for every non-control variant.
  const guardrails: NonNullable<EvalReport['experiment']>['guardrails'] = [];
  for (const variant of others) {
    for (const g of options.guardrails) {
      const value = stats.get(variant)!.metrics.get(g.metric)!.mean;
      const base = controlStats.metrics.get(g.metric)!.mean;
      if (g.type === 'relative') {
        const higher = EXPERIMENT_METRICS[g.metric].higher;
        const harm = higher ? base - value : value - base;
        const change = base !== 0 ? harm / Math.abs(base) : harm;
        const passed = change <= g.tolerance + 1e-12;
        guardrails.push({
          spec: g.spec,
          metric: g.metric,
          variant,
          passed,
          detail: `${g.metric} ${fmt4(value)} vs control ${fmt4(base)}: ${base !== 0 ? 'relative' : 'absolute'} worsening ${fmt4(change)} (allowed ${g.tolerance})`,
        });
      } else {
        const passed = g.type === 'max' ? value <= g.threshold : value >= g.threshold;
        guardrails.push({
          spec: g.spec,
          metric: g.metric,
          variant,
          passed,
          detail: `${g.metric} ${fmt4(value)} ${g.type === 'max' ? '<=' : '>='} ${g.threshold} required`,
        });
      }
    }
  }

  // 7. Decision for the candidate.
  const reasons: string[] = [];
  let decision: 'ship' | 'hold' | 'fail';
  const primary = comparisons.find((c) => c.variant === candidate && c.metric === options.primary);
  if (!candidate || !primary) {
    decision = 'hold';
    reasons.push('no candidate variant to compare with control');
  } else if (!controlStats.exposures || !stats.get(candidate)!.exposures) {
    decision = 'hold';
    reasons.push(`no exposures for ${controlStats.exposures ? candidate : control}`);
  } else {
    const improved = primary.diff.value > 0;
    const breaches = guardrails.filter((g) => g.variant === candidate && !g.passed);
    if (primary.significant && !improved) {
      decision = 'fail';
      reasons.push(
        `${options.primary} regressed significantly: ${fmt4(primary.variant_value)} vs ${fmt4(primary.control_value)} (p = ${fmtP(primary.p_value)})`,
      );
    } else {
      if (srmDetected)
        reasons.push(`sample ratio mismatch (p = ${test.p.toExponential(3)} < ${options.srmAlpha})`);
      for (const b of breaches) reasons.push(`guardrail breached: ${b.spec} (${b.detail})`);
      if (!primary.significant) {
        reasons.push(
          `${options.primary} difference not significant (p = ${fmtP(primary.p_value)} ≥ ${options.alpha})`,
        );
      }
      if (reasons.length) decision = 'hold';
      else {
        decision = 'ship';
        reasons.push(
          `${options.primary} improved significantly: ${fmt4(primary.variant_value)} vs ${fmt4(primary.control_value)} (p = ${fmtP(primary.p_value)}), no guardrail breached, no SRM`,
        );
      }
    }
  }

  return {
    ...baseReport(
      'experiment',
      context,
      { ...options, guardrails: options.guardrails.map((g) => g.spec) },
      {
        exposures: options.exposures,
        outcomes: options.outcomes,
        ...(options.assignments ? { assignments: options.assignments } : {}),
      },
    ),
    window: window.toJSON(),
    counts: {
      assignment_lines: assignmentLines,
      assignment_units: unitVariant.size,
      exposure_lines: exposureLines,
      exposures: [...stats.values()].reduce((s, v) => s + v.exposures, 0),
      exposures_unassigned: unassigned,
      duplicate_exposure_request_ids: duplicates,
      outcomes: index.outcomes,
      outcomes_joined: index.joinedCount(),
    },
    status: decision,
    exit_code: decision === 'ship' ? EvalExit.OK : decision === 'hold' ? EvalExit.HOLD : EvalExit.FAIL,
    warnings,
    series: daily.toSeries(variants),
    experiment: {
      experiment_id: options.experiment,
      control,
      candidate,
      primary: options.primary,
      alpha: options.alpha,
      ci_method: 'delta',
      assignment_source: assignmentSource,
      attribution_window_ms: options.attributionWindowMs,
      variants: variants.map((name) => {
        const s = stats.get(name)!;
        return {
          name,
          assignments: s.assignments,
          exposures: s.exposures,
          clicks: s.clicks,
          conversions: s.conversions,
          revenue: tidy(s.revenue),
          metrics: Object.fromEntries([...s.metrics].map(([metric, m]) => [metric, meanInterval(m, z)])),
        };
      }),
      comparisons,
      srm: {
        expected: Object.fromEntries(srmVariants.map((v) => [v, tidy(expectedWeights[v]! / weightSum)])),
        observed: Object.fromEntries(variants.map((v) => [v, stats.get(v)!.assignments])),
        statistic: tidy(test.statistic),
        df: test.df,
        p_value: tidy(test.p),
        alpha: options.srmAlpha,
        detected: srmDetected,
      },
      guardrails,
      decision: { decision, reasons },
    },
  };
}

function fmt4(value: number | null): string {
  return value === null ? '–' : Number.isInteger(value) ? String(value) : value.toFixed(4);
}

function fmtP(p: number | null): string {
  if (p === null) return '–';
  return p > 0 && p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}

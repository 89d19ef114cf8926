/**
 * `eval ope`: off-policy estimates (IPS, SNIPS, doubly robust) of a target policy's reward per request from logged
 * exposures with per-item logging propensities.
 *
 * Model: for request x the logging policy showed item a with probability μ(a|x) (the exposure item's `propensity`),
 * the target policy would show it with probability π(a|x) (the target-policy file). The value of π is the expected
 * reward summed over the items it shows, V(π) = E_x Σ_a π(a|x)·r(x,a). Per request, with w_a = min(π/μ, clip):
 *   IPS_x = Σ_{a logged} w_a·r_a
 *   DR_x  = Σ_{a in target} π(a|x)·m(a) + Σ_{a logged} w_a·(r_a − m(a)), m(a) = item mean reward in the logs
 * IPS and DR are the means over requests; SNIPS = IPS / (mean item weight) (self-normalized).
 *
 * Memory: the outcome index, the target policy (per request id), per-item reward sums for m(a), the exposure
 * request id set; exposures are streamed twice (pass 1 fits m(a), pass 2 estimates).
 */
import {
  baseReport,
  DailySeries,
  EvalExit,
  PROPENSITY_MISSING_CODE,
  tidy,
  type RunContext,
} from './common.js';
import { EvalInputError, EvalRefusal, readValid } from './jsonl.js';
import { OutcomeIndex, rankedItems, Window, type OutcomeRef } from './join.js';
import type { EvalReport } from './report.js';
import {
  CLICK_TYPE,
  CONVERSION_TYPE,
  EvalExposureLine,
  TargetPolicyLine,
  type EvalExposure,
} from './schemas.js';
import { Moments, normalQuantile } from './stats.js';

export type RewardKind = 'click' | 'conversion' | 'revenue';

export interface OpeOptions {
  exposures: string;
  outcomes: string;
  targetPolicy: string;
  clip: number;
  reward: RewardKind;
  k?: number;
  alpha: number;
  attributionWindowMs: number;
}

function itemRewards(outcomes: OutcomeRef[], reward: RewardKind): Map<string, number> {
  const rewards = new Map<string, number>();
  for (const o of outcomes) {
    if (reward === 'click' && o.type === CLICK_TYPE) rewards.set(o.item_id, 1);
    else if (reward === 'conversion' && o.type === CONVERSION_TYPE) rewards.set(o.item_id, 1);
    else if (reward === 'revenue' && o.type === CONVERSION_TYPE)
      rewards.set(o.item_id, (rewards.get(o.item_id) ?? 0) + o.value);
  }
  return rewards;
}

interface LoggedItem {
  item_id: string;
  propensity: number;
}

/** The top-k items with their logging propensity; refuses (throws) when one has none. */
function loggedItems(
  exposure: EvalExposure,
  line: number,
  path: string,
  k: number | undefined,
): LoggedItem[] {
  const order = rankedItems(exposure);
  const byId = new Map(exposure.items.map((i) => [i.item_id, i]));
  const top = k ? order.slice(0, k) : order;
  return top.map((itemId) => {
    const propensity = byId.get(itemId)!.propensity;
    if (propensity === undefined || propensity <= 0) {
      throw new EvalRefusal(
        PROPENSITY_MISSING_CODE,
        `refusing to estimate: exposure request_id=${exposure.request_id} (${path} line ${line}) has ${propensity === undefined ? 'no' : 'a zero'} propensity for item ${itemId}; ` +
          'off-policy estimates need the logging propensity (> 0) of every exposed item',
        EvalExit.REFUSED,
      );
    }
    return { item_id: itemId, propensity };
  });
}

export async function runOpe(options: OpeOptions, context: RunContext): Promise<EvalReport> {
  const index = await OutcomeIndex.load(options.outcomes, options.attributionWindowMs);
  const target = new Map<string, Map<string, number>>();
  for await (const { value } of readValid(options.targetPolicy, TargetPolicyLine, null, 'target policy')) {
    target.set(value.request_id, new Map(value.items.map((i) => [i.item_id, i.propensity])));
  }

  // Pass 1: per-item mean reward m(a) over every logged exposure (the reward model of DR); refuses early.
  const itemSums = new Map<string, { n: number; sum: number }>();
  const all = new Moments();
  {
    const seen = new Set<string>();
    for await (const { line, value: exposure } of readValid(
      options.exposures,
      EvalExposureLine,
      'exposure',
      'exposures',
    )) {
      if (seen.has(exposure.request_id)) continue;
      seen.add(exposure.request_id);
      const items = loggedItems(exposure, line, options.exposures, options.k);
      const rewards = itemRewards(
        index.attributed(exposure, Date.parse(exposure.occurred_at), true),
        options.reward,
      );
      for (const { item_id } of items) {
        const r = rewards.get(item_id) ?? 0;
        const s = itemSums.get(item_id) ?? { n: 0, sum: 0 };
        s.n++;
        s.sum += r;
        itemSums.set(item_id, s);
        all.add(r);
      }
    }
  }
  const model = (itemId: string) => {
    const s = itemSums.get(itemId);
    return s && s.n ? s.sum / s.n : all.mean;
  };

  // Pass 2: estimates.
  const window = new Window();
  const seen = new Set<string>();
  const ips = new Moments();
  const dr = new Moments();
  const observed = new Moments();
  const daily = new DailySeries('ips');
  let exposureLines = 0;
  let duplicates = 0;
  let missingTarget = 0;
  let items = 0;
  let clipped = 0;
  let zeroTarget = 0;
  let weightSum = 0;
  let weightSqSum = 0;
  let weightMax = 0;
  // Sums for the delta-method variance of SNIPS: Y = IPS_x, W = Σ w_a of the request.
  let sumW = 0;
  let sumWW = 0;
  let sumYW = 0;
  for await (const { line, value: exposure } of readValid(
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
    const policy = target.get(exposure.request_id);
    const logged = loggedItems(exposure, line, options.exposures, options.k);
    const ts = Date.parse(exposure.occurred_at);
    const rewards = itemRewards(index.attributed(exposure, ts, true), options.reward);
    if (!policy) {
      missingTarget++;
      continue;
    }
    window.add(ts);
    let ipsX = 0;
    let correction = 0;
    let obsX = 0;
    let wX = 0;
    for (const item of logged) {
      const pi = policy.get(item.item_id) ?? 0;
      const raw = pi / item.propensity;
      const w = Math.min(raw, options.clip);
      if (raw > options.clip) clipped++;
      if (pi === 0) zeroTarget++;
      const r = rewards.get(item.item_id) ?? 0;
      items++;
      weightSum += w;
      weightSqSum += w * w;
      weightMax = Math.max(weightMax, w);
      wX += w;
      ipsX += w * r;
      correction += w * (r - model(item.item_id));
      obsX += r;
    }
    let direct = 0;
    for (const [itemId, pi] of policy) direct += pi * model(itemId);
    ips.add(ipsX);
    dr.add(direct + correction);
    observed.add(obsX);
    daily.add('IPS', ts, ipsX);
    daily.add('observed', ts, obsX);
    sumW += wX;
    sumWW += wX * wX;
    sumYW += ipsX * wX;
  }
  if (ips.n === 0) {
    throw new EvalInputError(
      `no exposure in ${options.exposures} has an entry in the target policy ${options.targetPolicy}: nothing to estimate`,
    );
  }

  const z = normalQuantile(1 - options.alpha / 2);
  const estimate = (value: number, se: number) => ({
    value: tidy(value),
    se: tidy(se),
    lo: tidy(value - z * se),
    hi: tidy(value + z * se),
  });
  const n = ips.n;
  const meanWeight = items ? weightSum / items : 0;
  const snips = meanWeight > 0 ? ips.mean / meanWeight : 0;
  let snipsSe = 0;
  if (meanWeight > 0 && n > 1) {
    // SNIPS = Ȳ·L̄/W̄ (L̄ = mean items per request); linearized residual e_x = (L̄·Y_x − SNIPS·W_x)/W̄.
    const lBar = items / n;
    const wBar = sumW / n;
    const varW = (sumWW - (sumW * sumW) / n) / (n - 1);
    const covYW = (sumYW - (ips.sum * sumW) / n) / (n - 1);
    const varE =
      (lBar * lBar * ips.variance + snips * snips * varW - 2 * lBar * snips * covYW) / (wBar * wBar);
    snipsSe = Math.sqrt(Math.max(varE, 0) / n);
  }
  const warnings: string[] = [];
  const clippedFraction = items ? clipped / items : 0;
  const ess = weightSqSum > 0 ? (weightSum * weightSum) / weightSqSum : 0;
  if (missingTarget)
    warnings.push(`${missingTarget} exposure(s) have no target-policy entry and were left out`);
  if (duplicates)
    warnings.push(`${duplicates} duplicate exposure request id(s): only the first exposure of each was used`);
  if (clippedFraction > 0.1)
    warnings.push(`high_clipping_fraction: ${clippedFraction.toFixed(4)} of item weights were clipped`);
  if (items && ess < 0.2 * items)
    warnings.push(`low_effective_sample_size: ESS ${ess.toFixed(2)} < 20% of ${items} items`);
  window.merge(index.window);

  return {
    ...baseReport(
      'ope',
      context,
      { ...options },
      { exposures: options.exposures, outcomes: options.outcomes, target_policy: options.targetPolicy },
    ),
    window: window.toJSON(),
    counts: {
      exposure_lines: exposureLines,
      exposures: n + missingTarget,
      duplicate_exposure_request_ids: duplicates,
      requests_estimated: n,
      requests_missing_target: missingTarget,
      items,
      outcomes: index.outcomes,
      outcomes_joined: index.joinedCount(),
      target_policy_requests: target.size,
    },
    status: 'ok',
    exit_code: EvalExit.OK,
    warnings,
    series: daily.toSeries(['observed', 'IPS']),
    ope: {
      reward: options.reward,
      clip: options.clip,
      k: options.k ?? null,
      requests: n,
      items,
      requests_missing_target: missingTarget,
      observed_mean_reward: tidy(observed.mean),
      estimates: {
        ips: estimate(ips.mean, Math.sqrt(ips.variance / n)),
        snips: estimate(snips, snipsSe),
        dr: estimate(dr.mean, Math.sqrt(dr.variance / n)),
      },
      diagnostics: {
        effective_sample_size: tidy(ess),
        weight_mean: tidy(meanWeight),
        weight_max: tidy(weightMax),
        clipped_fraction: tidy(clippedFraction),
        zero_target_fraction: tidy(items ? zeroTarget / items : 0),
      },
    },
  };
}

/**
 * Deterministic experiment assignment (reference §2.11, extended with weighted variants from TenantConfig).
 * Pure: HMAC only, `now` is passed in.
 *
 * - traffic: HMAC-SHA256(salt, "traffic:" + id + ":" + subject), first 8 bytes big-endian uint64 mod 10000
 *   < traffic_percent × 100.
 * - variant: HMAC-SHA256(salt, id + ":" + subject), same reduction mod 10000, mapped onto the cumulative variant
 *   weights (bucket b picks the first variant with b < 10000 × cumulative / total). Variants with weight 0 are
 *   never picked; when every weight is 0 (or missing) the variants share traffic equally.
 * - an experiment applies when enabled, its surface matches (case-insensitive; absent = any surface) and
 *   starts_at ≤ now < ends_at (each optional).
 */
import { createHmac } from 'node:crypto';
import type { ExperimentDoc, OverridesDoc } from '../ranking/config.js';

export interface Assignment {
  id: string;
  variant: string;
  /** The variant's config overrides (pass to mergeRankingConfig). */
  overrides?: OverridesDoc;
}

export interface AssignOptions {
  subject: string | undefined;
  surface: string;
  salt: string;
  /** Epoch milliseconds. */
  now: number;
  /**
   * The experiment requested (request `experiment.id` without a variant). When absent, the first experiment in
   * config order that applies to this surface and takes this subject is used.
   */
  experimentId?: string;
  /**
   * Variants for a requested id that has no definition (reference EXPERIMENT_DEFAULT_VARIANTS, e.g. ['A','B']):
   * equal weights, 100% traffic. Empty/absent → no assignment for unknown ids.
   */
  defaultVariants?: readonly string[];
}

const BUCKETS = 10000n;

/** First 8 bytes of HMAC-SHA256(salt, message) as a big-endian uint64, mod 10000. */
export function hashBucket(salt: string, message: string): number {
  const digest = createHmac('sha256', salt).update(message).digest();
  return Number(digest.readBigUInt64BE(0) % BUCKETS);
}

function parseTime(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export function experimentApplies(exp: ExperimentDoc, surface: string, now: number): boolean {
  if (!exp.enabled) return false;
  if (exp.surface !== undefined && exp.surface.trim() !== '') {
    if (exp.surface.trim().toLowerCase() !== surface.trim().toLowerCase()) return false;
  }
  const start = parseTime(exp.starts_at);
  const end = parseTime(exp.ends_at);
  if (start !== undefined && now < start) return false;
  if (end !== undefined && now >= end) return false;
  return true;
}

export function inTraffic(salt: string, id: string, subject: string, trafficPercent: number): boolean {
  const pct = Number.isFinite(trafficPercent) ? Math.min(100, Math.max(0, trafficPercent)) : 0;
  if (pct <= 0) return false;
  return hashBucket(salt, `traffic:${id}:${subject}`) < pct * 100;
}

/** Index of the variant for a bucket in [0, 10000) given the weights (see module comment). */
export function pickVariant(bucket: number, weights: readonly number[]): number {
  const clean = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  let total = clean.reduce((a, b) => a + b, 0);
  const effective = total > 0 ? clean : clean.map(() => 1);
  if (total <= 0) total = effective.length;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < effective.length; i++) {
    if (effective[i]! <= 0) continue;
    cumulative += effective[i]!;
    last = i;
    if (bucket < (Number(BUCKETS) * cumulative) / total) return i;
  }
  return last;
}

function assignOne(exp: ExperimentDoc, subject: string, salt: string): Assignment | undefined {
  const variants = exp.variants.filter((v) => typeof v.name === 'string' && v.name.trim() !== '');
  if (variants.length === 0) return undefined;
  if (!inTraffic(salt, exp.id, subject, exp.traffic_percent)) return undefined;
  const index = pickVariant(
    hashBucket(salt, `${exp.id}:${subject}`),
    variants.map((v) => v.weight),
  );
  const v = variants[index];
  if (!v) return undefined;
  const out: Assignment = { id: exp.id, variant: v.name };
  if (v.overrides) out.overrides = v.overrides;
  return out;
}

export function assignExperiment(
  experiments: readonly ExperimentDoc[] | undefined,
  options: AssignOptions,
): Assignment | undefined {
  const subject = options.subject?.trim();
  if (!subject) return undefined;
  const list = experiments ?? [];
  if (options.experimentId !== undefined) {
    const id = options.experimentId.trim();
    if (id === '') return undefined;
    const exp = list.find((e) => e.id === id);
    if (exp)
      return experimentApplies(exp, options.surface, options.now)
        ? assignOne(exp, subject, options.salt)
        : undefined;
    const defaults = (options.defaultVariants ?? []).filter((v) => v.trim() !== '');
    if (defaults.length === 0) return undefined;
    return assignOne(
      { id, enabled: true, traffic_percent: 100, variants: defaults.map((name) => ({ name, weight: 1 })) },
      subject,
      options.salt,
    );
  }
  for (const exp of list) {
    if (!experimentApplies(exp, options.surface, options.now)) continue;
    const a = assignOne(exp, subject, options.salt);
    if (a) return a;
  }
  return undefined;
}

/** Pieces shared by the evaluation commands: report skeleton, per-day series, options. */
import { SERVICE_VERSION } from '../version.js';
import { Moments } from './stats.js';
import type { EvalReport, Series } from './report.js';

export const TOOL_NAME = 'recsys-publisher eval';
export const TOOL_VERSION = SERVICE_VERSION;

/** Exit codes of `recsys-publisher eval …` (docs/evaluation.md, "Exit codes"). */
export const EvalExit = {
  /** validate: every line valid; offline: every gate passed; experiment: ship; ope: estimated. */
  OK: 0,
  /** Usage or input error; validate: an invalid line; offline: a regression gate failed. */
  ERROR: 1,
  /** experiment: hold (SRM, guardrail breach or no significant difference). */
  HOLD: 2,
  /** experiment: fail (the primary metric regressed significantly). */
  FAIL: 3,
  /** ope: refusal, the exposures lack the logging propensities an estimate needs. */
  REFUSED: 4,
} as const;

/** Problem code printed with an `ope` refusal. */
export const PROPENSITY_MISSING_CODE = 'RECSYS_EVAL_PROPENSITY_MISSING';

export interface RunContext {
  /** The command-line arguments as given (after `eval <mode>`), recorded in the report. */
  args: string[];
  /** Report creation time (`--now`, else the clock); the only input-independent field of a report. */
  now: Date;
}

export function runId(mode: string, now: Date): string {
  return `${mode}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export function baseReport(
  mode: EvalReport['mode'],
  context: RunContext,
  options: Record<string, unknown>,
  inputs: Record<string, string>,
): Pick<EvalReport, 'schema' | 'run_id' | 'mode' | 'tool' | 'created_at' | 'config' | 'inputs'> {
  return {
    schema: 'recsys.eval.report.v1',
    run_id: runId(mode, context.now),
    mode,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    created_at: context.now.toISOString(),
    config: { args: context.args, options },
    inputs,
  };
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Mean of a metric by UTC day for several named series; memory O(series × days). */
export class DailySeries {
  private readonly data = new Map<string, Map<number, Moments>>();
  constructor(readonly metric: string) {}
  add(name: string, ms: number, value: number): void {
    let days = this.data.get(name);
    if (!days) this.data.set(name, (days = new Map()));
    const day = Math.floor(ms / 86_400_000);
    let moments = days.get(day);
    if (!moments) days.set(day, (moments = new Moments()));
    moments.add(value);
  }
  toSeries(order?: readonly string[]): Series[] {
    const names = order ?? [...this.data.keys()].sort();
    return names
      .filter((name) => this.data.has(name))
      .map((name) => ({
        metric: this.metric,
        name,
        points: [...this.data.get(name)!.entries()]
          .sort(([a], [b]) => a - b)
          .map(([day, m]) => ({ day: utcDay(day * 86_400_000), value: tidy(m.mean), n: m.n })),
      }));
  }
}

/** Rounds away binary noise so reports compare equal across runs and platforms (12 significant digits). */
export function tidy(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(12)) : value;
}

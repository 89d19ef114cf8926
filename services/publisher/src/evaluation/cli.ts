/**
 * `recsys-publisher eval <validate|offline|experiment|ope>`: the single entry the publisher CLI wires in.
 * Returns the exit code (see each command's --help and docs/evaluation.md); never calls process.exit.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EvalExit, TOOL_VERSION, type RunContext } from './common.js';
import { parseGuardrails, parseSplit, PRIMARY_METRICS, runExperiment } from './experiment.js';
import { assertReadable, EvalInputError, EvalRefusal } from './jsonl.js';
import { parseDuration } from './join.js';
import { runOffline } from './offline.js';
import { runOpe, type RewardKind } from './ope.js';
import { fmt, reportJsonSchema, writeReports, type EvalReport } from './report.js';
import { DEFAULT_RELEVANT_TYPES } from './schemas.js';
import { runValidate } from './validate.js';

export interface EvalIo {
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON_OPTIONS: Options = {
  out: { type: 'string' },
  now: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const COMMON_HELP = `Common options:
  --out <dir>                  write report.json, report.md and report.html into <dir>
  --now <RFC 3339>             report creation time (default: the clock); makes reports byte-identical
  -h, --help                   this help`;

const WINDOW_HELP = `  --attribution-window <dur>   outcomes without request_id are attributed to exposures of the same
                               user/anonymous/session id up to <dur> earlier (default 24h; 30m, 7d, ms)`;

const EXIT_LINE = (codes: string) =>
  `Exit codes:\n${codes}\n  1  usage or input error (unknown flag, unreadable file, invalid line)`;

const COMMANDS = {
  validate: {
    summary: 'Check exposure, outcome and assignment JSONL files against the contracts; count joins.',
    options: {
      exposures: { type: 'string' },
      outcomes: { type: 'string' },
      assignments: { type: 'string' },
      'max-errors': { type: 'string' },
    } satisfies Options,
    help: `Usage: recsys-publisher eval validate [--exposures f] [--outcomes f] [--assignments f] [options]

Checks every line (JSONL; ingest export lines with kind/cursor accepted, lines of another kind skipped) and
prints the line number and reason of each invalid line; counts outcomes and assignments joined to exposures by
request_id.
  --max-errors <n>             invalid lines listed per file (default 100; all are counted)
${COMMON_HELP}
${EXIT_LINE('  0  every line is valid').replace('invalid line)', 'or at least one invalid line)')}`,
  },
  offline: {
    summary: 'Ranking metrics at k over logged exposures with outcomes as relevance; regression gate.',
    options: {
      exposures: { type: 'string' },
      outcomes: { type: 'string' },
      k: { type: 'string' },
      'relevant-types': { type: 'string' },
      'attribution-window': { type: 'string' },
      catalog: { type: 'string' },
      'catalog-size': { type: 'string' },
      bootstrap: { type: 'string' },
      seed: { type: 'string' },
      'ci-level': { type: 'string' },
      baseline: { type: 'string' },
      tolerances: { type: 'string' },
    } satisfies Options,
    help: `Usage: recsys-publisher eval offline --exposures f --outcomes f [--k 10] [--baseline report.json
         [--tolerances '{"ndcg@10":0.01}']] [options]

Metrics at k (globally, per segment and per surface): precision, recall, map, ndcg (binary gains), hitrate,
coverage, novelty, diversity (intra-list), entropy. See docs/evaluation.md for the formulas.
  --k <n>                      cut-off (default 10)
  --relevant-types <a,b>       outcome types that make an item relevant (default ${DEFAULT_RELEVANT_TYPES.join(',')})
${WINDOW_HELP}
  --catalog <file>             catalog.upsert JSONL: catalog size for coverage, tags for diversity
  --catalog-size <n>           catalog size for coverage (default: --catalog size, else items seen)
  --bootstrap <n>              Poisson-bootstrap replicates for global intervals (default 200; 0 = off)
  --seed <n>                   bootstrap seed (default 42)
  --ci-level <p>               interval level (default 0.95)
  --baseline <report.json>     gate against a previous offline report (or a {metric: value} JSON object)
  --tolerances <json>          {metric: max absolute drop}; default: precision, recall, map, ndcg, hitrate @k at 0
${COMMON_HELP}
${EXIT_LINE('  0  metrics computed; every gate passed (or no baseline)\n  1  a regression gate failed (the report is still written)')}`,
  },
  experiment: {
    summary: 'A/B analysis per variant with intervals, SRM check, guardrails and a ship/hold/fail decision.',
    options: {
      exposures: { type: 'string' },
      outcomes: { type: 'string' },
      assignments: { type: 'string' },
      experiment: { type: 'string' },
      primary: { type: 'string' },
      guardrails: { type: 'string' },
      alpha: { type: 'string' },
      control: { type: 'string' },
      candidate: { type: 'string' },
      split: { type: 'string' },
      'srm-alpha': { type: 'string' },
      'srm-min-sample': { type: 'string' },
      'attribution-window': { type: 'string' },
    } satisfies Options,
    help: `Usage: recsys-publisher eval experiment --exposures f --outcomes f [--assignments f] --experiment id
         [--primary ctr|conversion_rate|revenue_per_exposure] [--guardrails spec,...] [--alpha 0.05] [options]

Per variant: exposures, CTR, conversion rate, revenue per exposure (+ add_to_cart_rate, dismiss_rate,
empty_rate) with delta-method intervals, difference and relative lift against control, a chi-square
sample-ratio-mismatch check on assignment units, guardrails and a decision for the candidate.
  --assignments <file>         assignment events; without it (or without a line of the experiment) each
                               exposure's own experiment {id, variant}, as logged by serving, is used
  --primary <metric>           decision metric (default ctr)
  --guardrails <specs>         comma-separated: metric:tol (breach when worse than control by more than tol,
                               relative), metric<=x or metric>=x (breach when the variant's value is outside)
  --alpha <p>                  significance level and interval level 1-alpha (default 0.05)
  --control <variant>          control (default: first variant of --split, else alphabetically first)
  --candidate <variant>        candidate (default: the non-control variant with most exposures)
  --split <A=50,B=50>          configured split for the SRM check (default: equal)
  --srm-alpha <p>              SRM threshold (default 0.001)
  --srm-min-sample <n>         minimum assignment units before SRM can be flagged (default 100)
${WINDOW_HELP}
${COMMON_HELP}
Decision: fail when the primary metric is significantly worse; else hold on SRM, a guardrail breach or no
significant difference; else (significantly better) ship.
${EXIT_LINE('  0  ship\n  2  hold\n  3  fail')}`,
  },
  ope: {
    summary: 'Off-policy estimates (IPS, SNIPS, doubly robust) of a target policy from logged propensities.',
    options: {
      exposures: { type: 'string' },
      outcomes: { type: 'string' },
      'target-policy': { type: 'string' },
      clip: { type: 'string' },
      reward: { type: 'string' },
      k: { type: 'string' },
      alpha: { type: 'string' },
      'attribution-window': { type: 'string' },
    } satisfies Options,
    help: `Usage: recsys-publisher eval ope --exposures f --outcomes f --target-policy f.jsonl [--clip 10] [options]

Estimates the target policy's expected reward per request. Every exposed item needs its logging
propensity; the target-policy file holds {request_id, items:[{item_id, propensity}]} lines.
  --clip <w>                   maximum importance weight (default 10)
  --reward <click|conversion|revenue>   reward of an item (default click)
  --k <n>                      only the top-k logged items of each exposure (default all)
  --alpha <p>                  interval level 1-alpha (default 0.05)
${WINDOW_HELP}
${COMMON_HELP}
${EXIT_LINE('  0  estimates computed\n  4  refusal: an exposed item has no logging propensity (RECSYS_EVAL_PROPENSITY_MISSING); no report')}`,
  },
  schema: {
    summary: 'Print the JSON Schema of report.json (schemas/eval-report.v1.schema.json).',
    options: {} satisfies Options,
    help: `Usage: recsys-publisher eval schema

Prints the JSON Schema (draft 2020-12) that every report.json written by --out satisfies; the same document
is committed as services/publisher/schemas/eval-report.v1.schema.json.
Exit codes:
  0  printed`,
  },
} as const;

type CommandName = keyof typeof COMMANDS;

export function evalUsage(): string {
  return [
    'Usage: recsys-publisher eval <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)}  ${c.summary}`),
    '',
    'Run `recsys-publisher eval <command> --help` for options and exit codes.',
  ].join('\n');
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new EvalInputError(`--${name} is required`);
  return value;
}

function optionalString(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function number(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
  expectation: string,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new EvalInputError(`--${name}: expected ${expectation}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
const nonNegativeInt = (n: number) => Number.isInteger(n) && n >= 0;
const probability = (n: number) => n > 0 && n < 1;

function attributionWindow(values: Record<string, unknown>): number {
  const raw = optionalString(values, 'attribution-window');
  if (raw === undefined) return 86_400_000;
  const ms = parseDuration(raw);
  if (ms === null)
    throw new EvalInputError(`--attribution-window: cannot parse ${JSON.stringify(raw)} (e.g. 30m, 24h, 7d)`);
  return ms;
}

function parseTolerances(raw: string | undefined): Record<string, number> | undefined {
  if (raw === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new EvalInputError(`--tolerances: not JSON: ${raw}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new EvalInputError('--tolerances: expected a JSON object {"metric@k": max_drop}');
  }
  for (const [key, value] of Object.entries(doc)) {
    if (typeof value !== 'number' || value < 0)
      throw new EvalInputError(`--tolerances: ${key} must be a number ≥ 0`);
  }
  return doc as Record<string, number>;
}

async function readable(values: Record<string, unknown>, names: string[]): Promise<void> {
  for (const name of names) {
    const value = optionalString(values, name);
    if (value !== undefined) await assertReadable(value, `--${name}`);
  }
}

function summarize(report: EvalReport): string[] {
  const lines = [`${report.mode}: ${report.status} (exit ${report.exit_code})`];
  if (report.window) lines.push(`window: ${report.window.from} – ${report.window.to}`);
  lines.push(
    `counts: ${Object.entries(report.counts)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(' ')}`,
  );
  if (report.offline) {
    lines.push(
      `metrics: ${Object.entries(report.offline.global.metrics)
        .map(([k, v]) => `${k}=${fmt(v, 4)}`)
        .join(' ')}`,
    );
    for (const g of report.offline.gates?.results ?? []) {
      lines.push(
        `gate ${g.metric}: ${g.passed ? 'pass' : 'FAIL'} (baseline ${fmt(g.baseline, 4)}, candidate ${fmt(g.candidate, 4)}, max drop ${g.tolerance})`,
      );
    }
  }
  if (report.experiment) {
    const e = report.experiment;
    for (const v of e.variants) {
      const m = v.metrics[e.primary];
      lines.push(
        `variant ${v.name}: exposures=${v.exposures} ${e.primary}=${fmt(m?.value, 4)} [${fmt(m?.lo, 4)}, ${fmt(m?.hi, 4)}]`,
      );
    }
    lines.push(`srm: ${e.srm.detected ? 'DETECTED' : 'ok'} (p=${fmt(e.srm.p_value)})`);
    lines.push(`decision: ${e.decision.decision} — ${e.decision.reasons.join('; ')}`);
  }
  if (report.ope) {
    const o = report.ope;
    lines.push(
      `observed=${fmt(o.observed_mean_reward, 4)} IPS=${fmt(o.estimates.ips.value, 4)} SNIPS=${fmt(o.estimates.snips.value, 4)} DR=${fmt(o.estimates.dr.value, 4)} ESS=${fmt(o.diagnostics.effective_sample_size, 2)}`,
    );
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return lines;
}

export async function runEvalCommand(argv: string[], io: EvalIo = {}): Promise<number> {
  const out = io.stdout ?? ((s: string) => process.stdout.write(`${s}\n`));
  const err = io.stderr ?? ((s: string) => process.stderr.write(`${s}\n`));
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(evalUsage());
    return name ? 0 : 1;
  }
  if (name === '--version') {
    out(TOOL_VERSION);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    err(`unknown eval command "${name}"\n\n${evalUsage()}`);
    return 1;
  }
  const command = COMMANDS[name as CommandName];
  try {
    let values: Record<string, unknown>;
    try {
      ({ values } = parseArgs({
        args: rest,
        options: { ...COMMON_OPTIONS, ...command.options },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new EvalInputError(`${(error as Error).message}\n\n${command.help}`);
    }
    if (values.help) {
      out(command.help);
      return 0;
    }
    if (name === 'schema') {
      out(JSON.stringify(reportJsonSchema(), null, 2));
      return EvalExit.OK;
    }
    const nowRaw = optionalString(values, 'now');
    const now = nowRaw === undefined ? new Date() : new Date(nowRaw);
    if (Number.isNaN(now.getTime())) throw new EvalInputError(`--now: not a timestamp: ${nowRaw}`);
    const context: RunContext = { args: rest, now };

    let report: EvalReport;
    switch (name as Exclude<CommandName, 'schema'>) {
      case 'validate': {
        const files = ['exposures', 'outcomes', 'assignments'].filter(
          (f) => optionalString(values, f) !== undefined,
        );
        if (!files.length)
          throw new EvalInputError('give at least one of --exposures, --outcomes, --assignments');
        await readable(values, files);
        const maxErrors = number(values, 'max-errors', 100, nonNegativeInt, 'an integer ≥ 0');
        let printed = 0;
        report = await runValidate(
          {
            exposures: optionalString(values, 'exposures'),
            outcomes: optionalString(values, 'outcomes'),
            assignments: optionalString(values, 'assignments'),
            maxErrors,
          },
          context,
          (role, line, reason) => {
            if (printed++ < maxErrors) out(`${role} line ${line}: ${reason}`);
          },
        );
        break;
      }
      case 'offline': {
        const exposures = required(values, 'exposures');
        const outcomes = required(values, 'outcomes');
        await readable(values, ['exposures', 'outcomes', 'catalog', 'baseline']);
        const catalogSize = optionalString(values, 'catalog-size');
        const relevant = optionalString(values, 'relevant-types');
        report = await runOffline(
          {
            exposures,
            outcomes,
            k: number(values, 'k', 10, positiveInt, 'an integer > 0'),
            relevantTypes: relevant
              ? relevant
                  .split(',')
                  .map((t) => t.trim())
                  .filter(Boolean)
              : [...DEFAULT_RELEVANT_TYPES],
            attributionWindowMs: attributionWindow(values),
            catalog: optionalString(values, 'catalog'),
            ...(catalogSize !== undefined
              ? { catalogSize: number(values, 'catalog-size', 0, positiveInt, 'an integer > 0') }
              : {}),
            bootstrap: number(values, 'bootstrap', 200, nonNegativeInt, 'an integer ≥ 0'),
            seed: number(values, 'seed', 42, Number.isInteger, 'an integer'),
            ciLevel: number(values, 'ci-level', 0.95, probability, 'a number in (0, 1)'),
            baseline: optionalString(values, 'baseline'),
            tolerances: parseTolerances(optionalString(values, 'tolerances')),
          },
          context,
        );
        break;
      }
      case 'experiment': {
        const exposures = required(values, 'exposures');
        const outcomes = required(values, 'outcomes');
        const assignments = optionalString(values, 'assignments');
        const experiment = required(values, 'experiment');
        await readable(values, ['exposures', 'outcomes', 'assignments']);
        const primary = optionalString(values, 'primary') ?? 'ctr';
        if (!(PRIMARY_METRICS as readonly string[]).includes(primary)) {
          throw new EvalInputError(
            `--primary: expected one of ${PRIMARY_METRICS.join(', ')}, got ${JSON.stringify(primary)}`,
          );
        }
        const split = optionalString(values, 'split');
        report = await runExperiment(
          {
            exposures,
            outcomes,
            ...(assignments !== undefined ? { assignments } : {}),
            experiment,
            primary: primary as (typeof PRIMARY_METRICS)[number],
            guardrails: parseGuardrails(optionalString(values, 'guardrails') ?? ''),
            alpha: number(values, 'alpha', 0.05, probability, 'a number in (0, 1)'),
            control: optionalString(values, 'control'),
            candidate: optionalString(values, 'candidate'),
            ...(split !== undefined ? { split: parseSplit(split) } : {}),
            srmAlpha: number(values, 'srm-alpha', 0.001, probability, 'a number in (0, 1)'),
            srmMinSample: number(values, 'srm-min-sample', 100, nonNegativeInt, 'an integer ≥ 0'),
            attributionWindowMs: attributionWindow(values),
          },
          context,
        );
        break;
      }
      case 'ope': {
        const exposures = required(values, 'exposures');
        const outcomes = required(values, 'outcomes');
        const targetPolicy = required(values, 'target-policy');
        await readable(values, ['exposures', 'outcomes', 'target-policy']);
        const reward = optionalString(values, 'reward') ?? 'click';
        if (!['click', 'conversion', 'revenue'].includes(reward)) {
          throw new EvalInputError(
            `--reward: expected click, conversion or revenue, got ${JSON.stringify(reward)}`,
          );
        }
        const k = optionalString(values, 'k');
        report = await runOpe(
          {
            exposures,
            outcomes,
            targetPolicy,
            clip: number(values, 'clip', 10, (n) => n > 0, 'a number > 0'),
            reward: reward as RewardKind,
            ...(k !== undefined ? { k: number(values, 'k', 0, positiveInt, 'an integer > 0') } : {}),
            alpha: number(values, 'alpha', 0.05, probability, 'a number in (0, 1)'),
            attributionWindowMs: attributionWindow(values),
          },
          context,
        );
        break;
      }
    }
    const dir = optionalString(values, 'out');
    if (dir) {
      report = await writeReports(dir, report);
      out(`report written to ${dir}/report.json, report.md, report.html`);
    }
    for (const line of summarize(report)) out(line);
    return report.exit_code;
  } catch (error) {
    if (error instanceof EvalRefusal) {
      err(`eval ${name}: ${error.code}: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof EvalInputError) err(`eval ${name}: ${error.message}`);
    else
      err(
        `eval ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    return EvalExit.ERROR;
  }
}

/**
 * The CLI commands of `recsys-publisher` (run, backfill, status, ship, rollback, eval, validate). `runCli`
 * is callable in-process (tests pass env, output streams and hooks); src/cli.ts wires it to the process.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ARTIFACT_KINDS, type ArtifactKind } from '@recsys/contracts-publisher';
import { ConfigError } from '@recsys/platform/config';
import { createLogger, type Logger } from '@recsys/platform/logger';
import { loadConfig, type Config } from './config.js';
import { createDeps, type Deps } from './deps.js';
import { finishRun, getCheckpoint, setCheckpoint, startRun, withAdvisoryLock } from './db/runs.repository.js';
import { ServingEvaluator } from './domain/eval/evaluator.js';
import type { GateMetric } from './domain/eval/metrics.js';
import { DAY_MS, InputError, LimitError, type InputRecord, type Window } from './domain/events.js';
import { readExport, readJsonl, readOnlineRetail } from './domain/input/readers.js';
import {
  loadArtifacts,
  runPipeline,
  ValidationFailedError,
  type BuildParams,
  type PipelineDeps,
  type RunOptions,
  type RunResult,
} from './domain/pipeline.js';
import { PointerConflictError, readCurrent } from './domain/publish/pointer.js';
import { PreconditionFailedError } from './domain/publish/store.js';
import {
  activateDb,
  artifactStatus,
  dbStatus,
  NotFoundError,
  rollbackArtifact,
  shipArtifact,
  type PointerOpDeps,
} from './domain/registry.js';
import { validateArtifacts } from './domain/validate.js';
import { COMMAND_SUMMARIES } from './command-list.js';
import { EXIT_CODES_HELP, ExitCode, INPUT_INVALID_CODE, PublisherCodes } from './exit-codes.js';
import { createStageReporter } from './progress.js';
import { SERVICE_VERSION } from './version.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliIo {
  env?: Record<string, string | undefined>;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Test hooks: a failure injected before the pointer moves simulates a crash at that point. */
  hooks?: PipelineDeps['hooks'];
  /** Reuse existing deps (scheduled mode) instead of creating and closing them per command. */
  deps?: Deps;
  now?: () => Date;
}

type Values = Record<string, string | boolean | string[] | undefined>;

interface CommandSpec {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run: (values: Values, ctx: Context) => Promise<number>;
}

interface Context {
  config: Config;
  deps: Deps;
  logger: Logger;
  out: (value: unknown) => void;
  io: CliIo;
  now: () => Date;
  writer: string;
}

// ---- shared options ------------------------------------------------------------------------------------

const target = {
  tenant: { type: 'string' },
  surface: { type: 'string' },
  segment: { type: 'string', default: 'default' },
  mode: { type: 'string' },
  store: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const build = {
  input: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  days: { type: 'string' },
  'as-of': { type: 'string' },
  kinds: { type: 'string' },
  'half-life-days': { type: 'string' },
  'top-n': { type: 'string' },
  'min-support': { type: 'string' },
  'ease-items': { type: 'string' },
  'ease-lambda': { type: 'string' },
  'max-items': { type: 'string' },
  'max-memory-mb': { type: 'string' },
  'counter-memory-mb': { type: 'string' },
} as const;

const gate = {
  holdout: { type: 'string' },
  k: { type: 'string' },
  tolerance: { type: 'string' },
  metrics: { type: 'string' },
  'eval-users': { type: 'string' },
  evaluator: { type: 'string' },
  'no-gate': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  reason: { type: 'string' },
} as const;

const TARGET_HELP = `  --tenant <id>            tenant (required)
  --surface <name>         surface (required)
  --segment <name>         segment (default: default)
  --mode artifact|db       artifact: object store + manifest pointer; db: push to serving (PUBLISHER_MODE)
  --store <uri>            s3://bucket[/prefix] or file:///dir (PUBLISHER_STORE)
  --json                   print the result as JSON`;

const BUILD_HELP = `  --input <source>         export | jsonl:<path> | online-retail:<path> (PUBLISHER_INPUT)
  --from <time> --to <time>  window [from, to) as RFC 3339 or YYYY-MM-DD (UTC)
  --days <n>               window of n days ending at --to (PUBLISHER_WINDOW_DAYS)
  --as-of <time>           decay reference and default --to (default: --to is now, decay from the
                           end of the training window)
  --kinds <a,b,…>          artifacts to build (${ARTIFACT_KINDS.join(', ')})
  --half-life-days <n>     popularity/history half-life (PUBLISHER_HALF_LIFE_DAYS)
  --top-n <n>              neighbours per item, 1..500 (PUBLISHER_TOP_N)
  --min-support <n>        minimum co-visitation weight (PUBLISHER_MIN_SUPPORT)
  --ease-items <n>         items modelled by EASE, 0 = no i2i (PUBLISHER_EASE_ITEMS)
  --ease-lambda <n>        EASE regularization (PUBLISHER_EASE_LAMBDA)
  --max-items <n>          distinct items accepted (PUBLISHER_MAX_ITEMS)
  --max-memory-mb <n>      dense model memory budget (PUBLISHER_MAX_MEMORY_MB)
  --counter-memory-mb <n>  memory budget of the read stage's counters (PUBLISHER_COUNTER_MEMORY_MB)`;

const GATE_HELP = `  --holdout <duration>     held-out end of the window, e.g. 24h, 7d (PUBLISHER_HOLDOUT); 0 = no gate
  --k <n>                  metric cut-off (PUBLISHER_EVAL_K)
  --tolerance <x>          relative drop tolerated, e.g. 0.02 (PUBLISHER_GATE_TOLERANCE)
  --metrics <a,b>          gate metrics among recall, ndcg, hit_rate, precision, coverage
  --eval-users <n>         users evaluated at most (PUBLISHER_EVAL_MAX_USERS)
  --evaluator serving|local  serving preview path (default) or the built-in scorer
  --no-gate                skip the evaluation
  --force --reason "…"     publish even if the gate refuses; the reason is recorded in the manifest`;

/** Same rule as serving's manifest template values: one safe path segment, no traversal. */
const SAFE_SEGMENT = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * Tenant, surface, segment and version name object keys (`registry/current/{tenant}/{surface}/…`): a value
 * with separators, `..`, `%` or control characters could address another tenant's keys, so it is refused
 * before anything is read or written.
 */
function assertSafeTargets(command: string, values: Values): void {
  // `rollback --to` names a version; elsewhere `--to` is the end of a time window.
  const names = ['tenant', 'surface', 'segment', 'version', ...(command === 'rollback' ? ['to'] : [])];
  for (const name of names) {
    const value = values[name];
    if (typeof value !== 'string') continue;
    if (!SAFE_SEGMENT.test(value) || value === '.' || value === '..')
      throw new UsageError(`--${name} is not a safe path segment (letters, digits and . _ : @ - only)`);
  }
}

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value.trim()) throw new UsageError(`--${name} is required`);
  return value.trim();
}

function num(values: Values, name: string, fallback: number, min = 0): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value) || value < min)
    throw new UsageError(`--${name} must be a number ≥ ${min}`);
  return value;
}

export function parseTime(text: string, name: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name}: not a date or RFC 3339 time: ${text}`);
  return ms;
}

export function parseDuration(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${name}: not a duration (e.g. 500ms, 30m, 24h, 7d): ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

function windowOf(values: Values, config: Config, now: Date): { window: Window; asOf?: number } {
  const asOf = typeof values['as-of'] === 'string' ? parseTime(values['as-of'], 'as-of') : undefined;
  const end = typeof values.to === 'string' ? parseTime(values.to, 'to') : (asOf ?? now.getTime());
  const days = num(values, 'days', config.PUBLISHER_WINDOW_DAYS, 0.001);
  const start = typeof values.from === 'string' ? parseTime(values.from, 'from') : end - days * DAY_MS;
  if (start >= end) throw new UsageError('the window is empty: --from must be before --to');
  return { window: { start, end }, ...(asOf !== undefined ? { asOf } : {}) };
}

function kindsOf(values: Values, config: Config): ArtifactKind[] {
  const list = typeof values.kinds === 'string' ? values.kinds.split(',') : config.PUBLISHER_KINDS;
  const kinds = list.map((k) => k.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (!(ARTIFACT_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`unknown artifact kind ${kind}`);
  }
  if (!kinds.includes('popularity')) throw new UsageError('--kinds must include popularity');
  return kinds as ArtifactKind[];
}

export function buildParamsOf(values: Values, config: Config): BuildParams {
  const easeItems = num(values, 'ease-items', config.PUBLISHER_EASE_ITEMS);
  const kinds = kindsOf(values, config).filter((k) => k !== 'i2i' || easeItems > 0);
  return {
    kinds,
    halfLifeMs: num(values, 'half-life-days', config.PUBLISHER_HALF_LIFE_DAYS, 0.001) * DAY_MS,
    historyHalfLifeMs: config.PUBLISHER_HISTORY_HALF_LIFE_DAYS * DAY_MS,
    topN: num(values, 'top-n', config.PUBLISHER_TOP_N, 1),
    minSupport: num(values, 'min-support', config.PUBLISHER_MIN_SUPPORT),
    easeLambda: num(values, 'ease-lambda', config.PUBLISHER_EASE_LAMBDA, 0.000001),
    easeItems,
    maxItems: num(values, 'max-items', config.PUBLISHER_MAX_ITEMS, 1),
    maxUsers: config.PUBLISHER_MAX_USERS,
    maxPairs: config.PUBLISHER_MAX_PAIRS,
    pairBudget: config.PUBLISHER_PAIR_BUDGET,
    maxItemsPerUser: config.PUBLISHER_MAX_ITEMS_PER_USER,
    maxPopularityItems: config.PUBLISHER_MAX_POPULARITY_ITEMS,
    maxMemoryBytes: num(values, 'max-memory-mb', config.PUBLISHER_MAX_MEMORY_MB, 1) * 2 ** 20,
    counterMemoryBytes: num(values, 'counter-memory-mb', config.PUBLISHER_COUNTER_MEMORY_MB, 16) * 2 ** 20,
    maxArtifactBytes: config.PUBLISHER_MAX_ARTIFACT_BYTES,
    sessionGapMs: config.PUBLISHER_SESSION_GAP,
    maxItemsPerSession: config.PUBLISHER_MAX_ITEMS_PER_SESSION,
    userWindowMs: config.PUBLISHER_USER_WINDOW,
    userWindowItems: config.PUBLISHER_USER_WINDOW_ITEMS,
    userWindowWeight: config.PUBLISHER_USER_WINDOW_WEIGHT,
  };
}

const GATE_METRICS: GateMetric[] = ['precision', 'recall', 'ndcg', 'hit_rate', 'coverage'];

function gateParamsOf(values: Values, config: Config, enabledDefault = true): RunOptions['gate'] {
  const metrics = (
    typeof values.metrics === 'string' ? values.metrics.split(',') : config.PUBLISHER_GATE_METRICS
  ).map((m) => m.trim());
  for (const metric of metrics)
    if (!GATE_METRICS.includes(metric as GateMetric)) throw new UsageError(`unknown gate metric ${metric}`);
  const evaluator = (values.evaluator as string | undefined) ?? config.PUBLISHER_EVALUATOR;
  if (evaluator !== 'serving' && evaluator !== 'local')
    throw new UsageError('--evaluator must be serving or local');
  if (values.force && !(typeof values.reason === 'string' && values.reason.trim())) {
    throw new UsageError('--force needs --reason "<why the gate is bypassed>"');
  }
  const holdoutMs =
    typeof values.holdout === 'string' ? parseDuration(values.holdout, 'holdout') : config.PUBLISHER_HOLDOUT;
  return {
    enabled: enabledDefault && !values['no-gate'] && holdoutMs > 0,
    holdoutMs,
    k: num(values, 'k', config.PUBLISHER_EVAL_K, 1),
    tolerance: num(values, 'tolerance', config.PUBLISHER_GATE_TOLERANCE),
    metrics: metrics as GateMetric[],
    maxUsers: num(values, 'eval-users', config.PUBLISHER_EVAL_MAX_USERS, 1),
    evaluator,
    concurrency: config.PUBLISHER_EVAL_CONCURRENCY,
    ...(values.force ? { forceReason: (values.reason as string).trim() } : {}),
  };
}

function modeOf(values: Values, config: Config): 'artifact' | 'db' {
  const mode = (values.mode as string | undefined) ?? config.PUBLISHER_MODE;
  if (mode !== 'artifact' && mode !== 'db') throw new UsageError('--mode must be artifact or db');
  return mode;
}

export function openInput(
  spec: string,
  ctx: { config: Config; tenant: string },
): (window: Window) => AsyncIterable<InputRecord> {
  if (spec === 'export') {
    return (window) =>
      readExport({
        baseUrl: ctx.config.INGEST_URL,
        serviceToken: ctx.config.SERVICE_TOKEN,
        tenant: ctx.tenant,
        window,
        pageSize: ctx.config.PUBLISHER_EXPORT_PAGE_SIZE,
        retries: ctx.config.PUBLISHER_EXPORT_RETRIES,
      });
  }
  if (spec.startsWith('jsonl:')) {
    const path = spec.slice('jsonl:'.length);
    return () => readJsonl(path);
  }
  if (spec.startsWith('online-retail:')) {
    const path = spec.slice('online-retail:'.length);
    return () => readOnlineRetail(path);
  }
  throw new UsageError(`--input must be export, jsonl:<path> or online-retail:<path>; got ${spec}`);
}

// ---- pipeline-backed commands ----------------------------------------------------------------------------

async function pipelineDeps(
  ctx: Context,
  values: Values,
  tenant: string,
  surface: string,
  segment: string,
  mode: 'artifact' | 'db',
): Promise<PipelineDeps> {
  const { config, deps } = ctx;
  const store =
    mode === 'artifact' || values.store
      ? await deps.openStore(values.store as string | undefined)
      : undefined;
  return {
    logger: ctx.logger,
    publisherVersion: SERVICE_VERSION,
    openInput: openInput((values.input as string | undefined) ?? config.PUBLISHER_INPUT, { config, tenant }),
    ...(store ? { store } : {}),
    serving: deps.serving,
    servingEvaluator: new ServingEvaluator({
      baseUrl: config.SERVING_URL,
      serviceToken: config.SERVICE_TOKEN,
      tenant,
      surface,
      segment,
      timeoutMs: 30_000,
    }),
    emit: deps.emit,
    withLock: (t, s, fn) => withAdvisoryLock(deps.db, `recsys-publisher:${t}:${s}`, fn),
    stage: createStageReporter(ctx.io.stderr ?? process.stderr, ctx.logger),
    observeStage: (stage, seconds) => deps.publisherMetrics.stageDuration.observe({ stage }, seconds),
    ...(ctx.io.hooks ? { hooks: ctx.io.hooks } : {}),
    now: ctx.now,
    writer: ctx.writer,
  };
}

function exitOf(result: RunResult): number {
  switch (result.status) {
    case 'published':
    case 'evaluated':
      return ExitCode.OK;
    case 'refused':
      return ExitCode.GATE_REFUSED;
    case 'invalid':
      return ExitCode.INVALID;
  }
}

export async function executeRun(
  ctx: Context,
  values: Values,
  options: { publish: boolean; command: string; window?: Window; asOf?: number; gateDefault?: boolean },
): Promise<{ code: number; result: RunResult }> {
  const tenant = required(values, 'tenant');
  const surface = required(values, 'surface');
  const segment = (values.segment as string) || 'default';
  const mode = modeOf(values, ctx.config);
  const computed = options.window
    ? { window: options.window, asOf: options.asOf }
    : windowOf(values, ctx.config, ctx.now());
  const runOptions: RunOptions = {
    tenant,
    surface,
    segment,
    window: computed.window,
    ...(computed.asOf !== undefined ? { asOf: computed.asOf } : {}),
    mode,
    build: buildParamsOf(values, ctx.config),
    gate: gateParamsOf(values, ctx.config, options.gateDefault ?? true),
    publish: options.publish,
  };
  const runId = await startRun(ctx.deps.db, {
    tenant,
    surface,
    segment,
    command: options.command,
    params: { ...runOptions, input: values.input ?? ctx.config.PUBLISHER_INPUT },
  });
  try {
    const result = await runPipeline(
      await pipelineDeps(ctx, values, tenant, surface, segment, mode),
      runOptions,
    );
    const code = exitOf(result);
    await finishRun(ctx.deps.db, runId, {
      status: code === ExitCode.OK ? 'succeeded' : 'refused',
      exitCode: code,
      version: result.version,
      result: { status: result.status, errors: result.errors, stages: result.stages, counts: result.counts },
    });
    ctx.deps.publisherMetrics.runs.inc({ command: options.command, outcome: result.status });
    if (result.status === 'published')
      ctx.deps.publisherMetrics.lastSuccess.set({ tenant, surface }, ctx.now().getTime() / 1000);
    return { code, result };
  } catch (error) {
    const code = exitCodeOf(error);
    await finishRun(ctx.deps.db, runId, {
      status: 'failed',
      exitCode: code,
      result: { error: (error as Error).message },
    }).catch(() => undefined);
    ctx.deps.publisherMetrics.runs.inc({ command: options.command, outcome: 'failed' });
    throw error;
  }
}

function summaryOf(result: RunResult) {
  const code = PublisherCodes[exitOf(result)];
  return {
    status: result.status,
    ...(code ? { code } : {}),
    version: result.version,
    previous_version: result.manifest.previous_version,
    seq: result.manifest.seq,
    gate: result.manifest.gate,
    forced_reason: result.manifest.forced_reason,
    errors: result.errors,
    counts: result.counts,
    stages: result.stages,
    report: result.reportKeys,
  };
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof RangeError)
    return ExitCode.USAGE;
  if (error instanceof LimitError) return ExitCode.LIMIT;
  if (error instanceof ValidationFailedError) return ExitCode.INVALID;
  if (error instanceof PointerConflictError || error instanceof PreconditionFailedError)
    return ExitCode.CONFLICT;
  if (error instanceof NotFoundError) return ExitCode.NOT_FOUND;
  if (error instanceof InputError) return ExitCode.FAILURE;
  return ExitCode.FAILURE;
}

function pointerDeps(ctx: Context, store: PointerOpDeps['store']): PointerOpDeps {
  return {
    store,
    writer: ctx.writer,
    now: ctx.now,
    emit: ctx.deps.emit,
    withLock: (t, s, fn) => withAdvisoryLock(ctx.deps.db, `recsys-publisher:${t}:${s}`, fn),
  };
}

const commands: Record<string, CommandSpec> = {
  run: {
    summary: COMMAND_SUMMARIES.run!,
    usage: `recsys-publisher run --tenant <t> --surface <s> [options]\n\n${TARGET_HELP}\n${BUILD_HELP}\n${GATE_HELP}`,
    options: { ...target, ...build, ...gate },
    run: async (values, ctx) => {
      const { code, result } = await executeRun(ctx, values, { publish: true, command: 'run' });
      ctx.out(summaryOf(result));
      return code;
    },
  },
  eval: {
    summary: COMMAND_SUMMARIES['eval']!,
    usage: `recsys-publisher eval --tenant <t> --surface <s> [options]\n\n${TARGET_HELP}\n${BUILD_HELP}\n${GATE_HELP}`,
    options: { ...target, ...build, ...gate },
    run: async (values, ctx) => {
      if (values['no-gate'] || values.holdout === '0')
        throw new UsageError('eval needs a holdout (--holdout > 0)');
      const { result } = await executeRun(ctx, values, { publish: false, command: 'eval' });
      ctx.out({ ...summaryOf(result), report_metrics: result.report });
      return result.status === 'invalid' ? ExitCode.INVALID : ExitCode.OK;
    },
  },
  backfill: {
    summary: COMMAND_SUMMARIES.backfill!,
    usage: `recsys-publisher backfill --tenant <t> --surface <s> --start YYYY-MM-DD --end YYYY-MM-DD [options]

  --start <day> --end <day>  days to build, end inclusive (UTC); each day's window ends at the next midnight
  --days <n>                 window length per day (PUBLISHER_WINDOW_DAYS)
  --restart                  ignore the checkpoint and start at --start
  --gate                     evaluate each day (default: no gate during backfill)
${TARGET_HELP}
${BUILD_HELP.split('\n')
  .filter((l) => !/--from|--days|--as-of/.test(l))
  .join('\n')}`,
    options: {
      ...target,
      ...build,
      ...gate,
      start: { type: 'string' },
      end: { type: 'string' },
      restart: { type: 'boolean', default: false },
      gate: { type: 'boolean', default: false },
    },
    run: async (values, ctx) => {
      const tenant = required(values, 'tenant');
      const surface = required(values, 'surface');
      const segment = (values.segment as string) || 'default';
      const startDay = parseTime(required(values, 'start'), 'start');
      const endDay = parseTime(required(values, 'end'), 'end');
      if (endDay < startDay) throw new UsageError('--end is before --start');
      const days = num(values, 'days', ctx.config.PUBLISHER_WINDOW_DAYS, 0.001);
      const key = { tenant, surface, segment, job: 'backfill' };
      const checkpoint = values.restart ? null : await getCheckpoint(ctx.deps.db, key);
      let day = startDay;
      if (checkpoint) day = Math.max(day, parseTime(checkpoint, 'checkpoint') + DAY_MS);
      const done: { day: string; version: string; status: string }[] = [];
      for (; day <= endDay; day += DAY_MS) {
        const end = day + DAY_MS;
        const { code, result } = await executeRun(ctx, values, {
          publish: true,
          command: 'backfill',
          window: { start: end - days * DAY_MS, end },
          asOf: end,
          gateDefault: Boolean(values.gate),
        });
        const label = new Date(day).toISOString().slice(0, 10);
        done.push({ day: label, version: result.version, status: result.status });
        if (code !== ExitCode.OK) {
          ctx.out({ status: 'stopped', at_day: label, days: done, errors: result.errors });
          return code;
        }
        await setCheckpoint(ctx.deps.db, key, label, result.version);
      }
      ctx.out({ status: 'done', resumed_after: checkpoint, days: done });
      return ExitCode.OK;
    },
  },
  status: {
    summary: COMMAND_SUMMARIES.status!,
    usage: `recsys-publisher status --tenant <t> --surface <s> [--segment <g>] [--mode artifact|db] [--store <uri>]`,
    options: { ...target },
    run: async (values, ctx) => {
      const tenant = required(values, 'tenant');
      const surface = required(values, 'surface');
      const segment = (values.segment as string) || 'default';
      const status =
        modeOf(values, ctx.config) === 'artifact'
          ? await artifactStatus(
              await ctx.deps.openStore(values.store as string | undefined),
              tenant,
              surface,
              segment,
            )
          : await dbStatus(ctx.deps.serving, tenant, surface, segment);
      ctx.out(status);
      return ExitCode.OK;
    },
  },
  ship: {
    summary: COMMAND_SUMMARIES.ship!,
    usage: `recsys-publisher ship --tenant <t> --surface <s> --version <v>\n\n${TARGET_HELP}\n  --version <v>            staged version to promote (db mode: default newest staged)`,
    options: { ...target, version: { type: 'string' } },
    run: async (values, ctx) => {
      const tenant = required(values, 'tenant');
      const surface = required(values, 'surface');
      const segment = (values.segment as string) || 'default';
      if (modeOf(values, ctx.config) === 'db') {
        ctx.out(
          await activateDb(
            { serving: ctx.deps.serving, now: ctx.now, emit: ctx.deps.emit },
            { tenant, surface, segment, ...(values.version ? { version: values.version as string } : {}) },
            'ship',
          ),
        );
        return ExitCode.OK;
      }
      const store = await ctx.deps.openStore(values.store as string | undefined);
      ctx.out(
        await shipArtifact(
          pointerDeps(ctx, store),
          { tenant, surface, segment, version: required(values, 'version') },
          'ship',
        ),
      );
      ctx.deps.publisherMetrics.lastSuccess.set({ tenant, surface }, ctx.now().getTime() / 1000);
      return ExitCode.OK;
    },
  },
  rollback: {
    summary: COMMAND_SUMMARIES.rollback!,
    usage: `recsys-publisher rollback --tenant <t> --surface <s> [--to <version>]\n\n${TARGET_HELP}\n  --to <v>                 version to restore (default: the previous one in the history)`,
    options: { ...target, to: { type: 'string' } },
    run: async (values, ctx) => {
      const tenant = required(values, 'tenant');
      const surface = required(values, 'surface');
      const segment = (values.segment as string) || 'default';
      const to = values.to as string | undefined;
      if (modeOf(values, ctx.config) === 'db') {
        ctx.out(
          await activateDb(
            { serving: ctx.deps.serving, now: ctx.now, emit: ctx.deps.emit },
            { tenant, surface, segment, ...(to ? { version: to } : {}) },
            'rollback',
          ),
        );
        return ExitCode.OK;
      }
      const store = await ctx.deps.openStore(values.store as string | undefined);
      ctx.out(
        await rollbackArtifact(pointerDeps(ctx, store), { tenant, surface, segment, ...(to ? { to } : {}) }),
      );
      return ExitCode.OK;
    },
  },
  validate: {
    summary: COMMAND_SUMMARIES.validate!,
    usage: `recsys-publisher validate --tenant <t> --surface <s> [--version <v>] [--store <uri>]
recsys-publisher validate --file <artifact.json> [--file …]

  --version <v>            staged version to check (default: current)
  --file <path>            artifact document(s) to check offline (repeatable)
${TARGET_HELP}`,
    options: { ...target, version: { type: 'string' }, file: { type: 'string', multiple: true } },
    run: async (values, ctx) => {
      const files = (values.file as string[] | undefined) ?? [];
      let artifacts: Record<string, unknown> = {};
      if (files.length) {
        for (const file of files) {
          const doc = JSON.parse(await readFile(file, 'utf8')) as { artifact_type?: string };
          artifacts[doc.artifact_type ?? file] = doc;
        }
      } else {
        const tenant = required(values, 'tenant');
        const surface = required(values, 'surface');
        const store = await ctx.deps.openStore(values.store as string | undefined);
        const { loadStagedManifest } = await import('./domain/pipeline.js');
        const manifest = values.version
          ? await loadStagedManifest(store, tenant, surface, values.version as string)
          : (await readCurrent(store, tenant, surface)).manifest;
        if (!manifest)
          throw new NotFoundError(
            values.version ? `no staged version ${values.version}` : 'no current manifest',
          );
        try {
          artifacts = await loadArtifacts(store, manifest);
        } catch (error) {
          ctx.out({ ok: false, errors: [(error as Error).message] });
          return ExitCode.INVALID;
        }
      }
      const result = validateArtifacts(artifacts, {
        maxArtifactBytes: ctx.config.PUBLISHER_MAX_ARTIFACT_BYTES,
      });
      ctx.out({ ok: result.ok, errors: result.errors, bytes: result.bytes });
      return result.ok ? ExitCode.OK : ExitCode.INVALID;
    },
  },
};

/** Runs one pipeline command; returns its exit code. Never calls process.exit. */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const [name, ...rest] = argv;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const command = name ? commands[name] : undefined;
  if (!command) {
    stderr.write(`unknown command "${name}"\n`);
    return ExitCode.USAGE;
  }
  let values: Values;
  try {
    values = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false })
      .values as Values;
  } catch (error) {
    stderr.write(`${(error as Error).message}\n\nUsage: ${command.usage}\n\n${EXIT_CODES_HELP}\n`);
    return ExitCode.USAGE;
  }
  if (values.help) {
    stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n\n${EXIT_CODES_HELP}\n`);
    return ExitCode.OK;
  }
  let config: Config;
  try {
    config = io.deps?.config ?? (io.env ? loadConfig(io.env) : loadConfig());
  } catch (error) {
    stderr.write(`${(error as Error).message}\n`);
    return ExitCode.USAGE;
  }
  const tty = Boolean(stderr.isTTY);
  const logger =
    io.deps?.logger ??
    createLogger('publisher', tty ? 'warn' : config.LOG_LEVEL, {
      write: (s: string) => stderr.write(s),
    } as never);
  const deps = io.deps ?? createDeps(config, logger);
  const ctx: Context = {
    config,
    deps,
    logger,
    io,
    now: io.now ?? (() => new Date()),
    writer: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    out: (value) => {
      stdout.write(
        `${values.json || !stdout.isTTY ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`,
      );
    },
  };
  try {
    assertSafeTargets(name!, values);
    return await command.run(values, ctx);
  } catch (error) {
    const code = exitCodeOf(error);
    const errorCode =
      error instanceof InputError ? INPUT_INVALID_CODE : (PublisherCodes[code] ?? 'RECSYS_PUBLISHER_FAILED');
    logger.error({ err: error, code: errorCode, exit_code: code }, (error as Error).message);
    stderr.write(`error: ${(error as Error).message}\n`);
    stdout.write(
      `${JSON.stringify({ status: 'failed', error: { code: errorCode, message: (error as Error).message, exit_code: code } })}\n`,
    );
    return code;
  } finally {
    if (!io.deps)
      for (const closer of deps.closers) await Promise.resolve(closer.close()).catch(() => undefined);
  }
}

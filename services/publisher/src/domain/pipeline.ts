/**
 * The `run` pipeline: read → accumulate → build → validate → stage → evaluate (gate) → publish → event.
 * Adapters come in through PipelineDeps; this module decides the order and the outcome.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Artifact,
  EvalReport,
  Manifest,
  type ArtifactKind,
  type EvalMetrics,
  type ManifestEvent,
} from '@recsys/contracts-publisher';
import type { Logger } from '@recsys/platform/logger';
import type { ServingSignals } from '../adapters/serving-client.js';
import {
  accumulate,
  DEFAULT_TYPE_WEIGHTS,
  type Accumulated,
  type AccumulateParams,
} from './artifacts/accumulate.js';
import { StreamedArtifactFile } from './artifacts/artifact-file.js';
import {
  writeCatalog,
  writeContentSim,
  writeCooc,
  writeEase,
  writeImplicit,
  writePopularity,
  writeSessionSeq,
} from './artifacts/builders.js';
import { BODY_KEY, collect, type ArtifactWriter, type EnvelopeBase } from './artifacts/envelope.js';
import { canonicalDigest, canonicalJson, sha256Hex, spoolCanonical } from './canonical.js';
import { DAY_MS, isoOf, type InputRecord, type Window } from './events.js';
import { evaluateVersion, LocalEvaluator, type Evaluator } from './eval/evaluator.js';
import { compareToBaseline, type GateMetric, type MetricSummary } from './eval/metrics.js';
import { reportHtml, reportMarkdown } from './eval/report.js';
import { movePointer, PointerConflictError, readCurrent } from './publish/pointer.js';
import { digestOf, keys, putFile, type ObjectStore } from './publish/store.js';
import { ArtifactValidator, RowChecker, verifyObject } from './validate.js';

export const ALL_KINDS: ArtifactKind[] = [
  'popularity',
  'cooc',
  'i2i',
  'session_seq',
  'implicit',
  'content_sim',
  'catalog',
];

export interface BuildParams {
  kinds: ArtifactKind[];
  halfLifeMs: number;
  /** User-history half-life; defaults to halfLifeMs. */
  historyHalfLifeMs?: number;
  topN: number;
  minSupport: number;
  easeLambda: number;
  easeItems: number;
  maxItems: number;
  maxUsers: number;
  maxPairs: number;
  /** Co-visitation counter entries held before pruning (see RowCounters); default 32 M. */
  pairBudget?: number;
  /** Transition counter entries held before pruning; default 16 M. */
  transitionBudget?: number;
  /** Memory budget of the read stage's counters (see AccumulateParams.counterMemoryBytes); unset: none. */
  counterMemoryBytes?: number;
  maxItemsPerUser: number;
  maxPopularityItems: number;
  maxMemoryBytes: number;
  maxArtifactBytes: number;
  sessionGapMs: number;
  maxItemsPerSession: number;
  userWindowMs: number;
  userWindowItems: number;
  userWindowWeight: number;
  typeWeights?: Record<string, number>;
}

export interface GateParams {
  enabled: boolean;
  holdoutMs: number;
  k: number;
  tolerance: number;
  metrics: GateMetric[];
  maxUsers: number;
  evaluator: 'serving' | 'local';
  concurrency: number;
  /** Publish even when the gate refuses; the reason is recorded in the manifest and report. */
  forceReason?: string;
}

export interface RunOptions {
  tenant: string;
  surface: string;
  segment: string;
  window: Window;
  /** Logical build time; decay is measured back from it. Defaults to the end of the training window. */
  asOf?: number;
  mode: 'artifact' | 'db';
  build: BuildParams;
  gate: GateParams;
  /** false for `eval`: stage and evaluate, never move the pointer. */
  publish: boolean;
}

export interface Stage {
  start(total?: number): void;
  tick(done: number): void;
  end(): void;
}

export interface PipelineDeps {
  logger: Logger;
  publisherVersion: string;
  openInput: (window: Window) => AsyncIterable<InputRecord>;
  store?: ObjectStore;
  serving?: ServingSignals;
  /** Serving preview evaluator (constructed by the caller; null when --evaluator local). */
  servingEvaluator?: Evaluator;
  emit: (event: ManifestEvent) => Promise<void>;
  /** Mutual exclusion per (tenant, surface) around the pointer move (Postgres advisory lock). */
  withLock: <T>(tenant: string, surface: string, fn: () => Promise<T>) => Promise<T>;
  stage: (name: string) => Stage;
  observeStage?: (stage: string, seconds: number, rssBytes: number) => void;
  hooks?: { beforePointerMove?: () => Promise<void> | void };
  now: () => Date;
  writer: string;
}

export type RunStatus = 'published' | 'refused' | 'invalid' | 'evaluated';

export interface RunResult {
  status: RunStatus;
  version: string;
  manifest: Manifest;
  report: EvalReport | null;
  errors: string[];
  /**
   * Wall time, CPU time (user + system) and process RSS high-water mark per stage (build, validate and stage
   * alternate per artifact; their times are summed).
   */
  stages: { name: string; seconds: number; cpuSeconds: number; peakRssMb: number }[];
  counts: Record<string, Record<string, number>>;
  /** What the read stage saw and held (events, pruning, counter memory). */
  input: Accumulated['stats'] & { items: number; users: number };
  reportKeys?: { json: string; md: string; html: string };
}

export class ValidationFailedError extends Error {
  constructor(readonly errors: string[]) {
    super(`artifacts refused: ${errors.join('; ')}`);
    this.name = 'ValidationFailedError';
  }
}

export function accumulateParams(build: BuildParams, window: Window, asOf: number): AccumulateParams {
  return {
    asOf,
    window,
    halfLifeMs: build.halfLifeMs,
    historyHalfLifeMs: build.historyHalfLifeMs ?? build.halfLifeMs,
    typeWeights: build.typeWeights ?? DEFAULT_TYPE_WEIGHTS,
    sessionGapMs: build.sessionGapMs,
    maxItemsPerSession: build.maxItemsPerSession,
    userWindowMs: build.userWindowMs,
    userWindowItems: build.userWindowItems,
    userWindowWeight: build.userWindowWeight,
    maxItems: build.maxItems,
    maxUsers: build.maxUsers,
    maxPairs: build.maxPairs,
    ...(build.pairBudget !== undefined ? { pairBudget: build.pairBudget } : {}),
    ...(build.transitionBudget !== undefined ? { transitionBudget: build.transitionBudget } : {}),
    // Pruned counters keep 2.5× the neighbours an artifact row keeps.
    keepFloor: Math.ceil(2.5 * build.topN),
    ...(build.counterMemoryBytes !== undefined
      ? { counterMemoryBytes: build.counterMemoryBytes, minKeep: build.topN }
      : {}),
  };
}

/** Builds every requested artifact from the accumulated counts. Empty optional artifacts are left out. */
export function buildArtifacts(
  acc: Accumulated,
  base: EnvelopeBase,
  build: BuildParams,
  onEaseProgress?: (fraction: number) => void,
  options: { release?: boolean } = {},
): Partial<Record<ArtifactKind, Artifact>> {
  const out: Partial<Record<ArtifactKind, Artifact>> = {};
  for (const [kind, artifact] of buildEach(acc, base, build, onEaseProgress, options)) out[kind] = artifact;
  return out;
}

/**
 * The artifacts one at a time (popularity, cooc, i2i, session_seq, implicit, catalog, content_sim), in
 * memory, so a caller can validate and serialize each and let it go before the next is built. Empty optional
 * artifacts are left out.
 */
export function* buildEach(
  acc: Accumulated,
  base: EnvelopeBase,
  build: BuildParams,
  onEaseProgress?: (fraction: number) => void,
  /** release: drop each counter table from `acc` once the last builder that reads it is done (frees memory). */
  options: { release?: boolean } = {},
): Generator<[ArtifactKind, Artifact]> {
  for (const step of artifactSteps(acc, base, build, onEaseProgress, options)) {
    const artifact = collect<Artifact>(step.write);
    if (step.keepEmpty || rowCount(artifact) > 0) yield [step.kind, artifact];
  }
}

function rowCount(artifact: Artifact): number {
  return (artifact as unknown as Record<string, unknown[]>)[BODY_KEY[artifact.artifact_type]]!.length;
}

/** One artifact to build: its writer (see ArtifactWriter); an empty one is left out unless `keepEmpty`. */
export interface ArtifactStep {
  kind: ArtifactKind;
  write: ArtifactWriter;
  keepEmpty: boolean;
}

/**
 * The artifacts to build, in order, as writers: each is run by the caller (into memory or a file) before the
 * next is asked for, and with `release` the counters no later step reads are dropped in between.
 */
export function* artifactSteps(
  acc: Accumulated,
  base: EnvelopeBase,
  build: BuildParams,
  onEaseProgress?: (fraction: number) => void,
  options: { release?: boolean } = {},
): Generator<ArtifactStep> {
  const want = new Set(build.kinds);
  const release = options.release === true;
  if (want.has('popularity'))
    yield {
      kind: 'popularity',
      keepEmpty: true,
      write: (sink) =>
        writePopularity(
          acc,
          base,
          { halfLifeMs: build.halfLifeMs, maxItems: build.maxPopularityItems },
          sink,
        ),
    };
  if (want.has('cooc'))
    yield {
      kind: 'cooc',
      keepEmpty: false,
      write: (sink) =>
        writeCooc(
          acc,
          base,
          {
            topN: build.topN,
            minSupport: build.minSupport,
            release,
            extra: {
              session_gap_minutes: build.sessionGapMs / 60_000,
              max_items_per_session: build.maxItemsPerSession,
              user_window_hours: build.userWindowMs / 3_600_000,
              user_window_items: build.userWindowItems,
              user_window_weight: build.userWindowWeight,
            },
          },
          sink,
        ),
    };
  if (release) acc.pairs = [];
  if (want.has('i2i') && acc.userIds.length)
    yield {
      kind: 'i2i',
      keepEmpty: false,
      write: (sink) =>
        writeEase(
          acc,
          base,
          {
            lambda: build.easeLambda,
            maxItems: build.easeItems,
            topN: build.topN,
            maxMemoryBytes: build.maxMemoryBytes,
            ...(onEaseProgress ? { onProgress: onEaseProgress } : {}),
          },
          sink,
        ),
    };
  if (want.has('session_seq'))
    yield {
      kind: 'session_seq',
      keepEmpty: false,
      write: (sink) => writeSessionSeq(acc, base, { topN: build.topN, minSupport: 1, release }, sink),
    };
  if (release) acc.transitions = [];
  if (want.has('implicit'))
    yield {
      kind: 'implicit',
      keepEmpty: false,
      write: (sink) =>
        writeImplicit(
          acc,
          base,
          {
            maxItemsPerUser: build.maxItemsPerUser,
            halfLifeMs: build.historyHalfLifeMs ?? build.halfLifeMs,
            release,
          },
          sink,
        ),
    };
  if (release) acc.userItems = [];
  if (acc.catalogKnown && want.has('catalog'))
    yield {
      kind: 'catalog',
      keepEmpty: false,
      write: (sink) => writeCatalog(acc, base, { maxItems: build.maxItems }, sink),
    };
  if (acc.catalogKnown && want.has('content_sim'))
    yield { kind: 'content_sim', keepEmpty: false, write: (sink) => writeContentSim(acc, base, sink) };
}

/** Version of an artifact set: a content hash over (segment, kind → object sha256). */
export function versionOf(segment: string, shas: Partial<Record<ArtifactKind, string>>): string {
  return sha256Hex(canonicalJson({ segment, artifacts: shas })).slice(0, 24);
}

export interface Prepared {
  manifest: Manifest;
  artifacts: Partial<Record<ArtifactKind, Artifact>>;
  /** Each artifact's canonical JSON, spooled to a local file (streamed, never one string in memory). */
  files: Partial<Record<ArtifactKind, string>>;
  /** Removes the spool files. */
  dispose(): void;
}

/**
 * Serializes artifacts one at a time (canonical JSON, chunk by chunk into files under a fresh temp directory,
 * hashing as it goes) and composes the manifest from their sha256 and lengths. `dispose()` removes the files.
 */
export class ArtifactSpool {
  readonly files: Partial<Record<ArtifactKind, string>> = {};
  private readonly entries: Manifest['artifacts'] = {};
  private dir: string | null = null;

  constructor(
    private readonly options: {
      tenant: string;
      surface: string;
      uri: (key: string) => string;
      /** Where the spool directory is made (default: the OS temp directory). */
      spoolDir?: string;
    },
  ) {}

  /** Spools `artifact` (or, with spool false, only hashes it: a refused set still reports its version). */
  add(kind: ArtifactKind, artifact: Artifact, spool = true): void {
    let digest: { sha256: string; bytes: number };
    if (spool) {
      const path = this.pathOf(kind);
      digest = spoolCanonical(artifact, path);
      this.files[kind] = path;
    } else {
      try {
        digest = canonicalDigest(artifact);
      } catch {
        return; // not serializable (non-finite numbers): validation has said so
      }
    }
    this.record(kind, digest);
  }

  /** A file for `kind` to be written row by row (see StreamedArtifactFile); `added` records it when done. */
  open(kind: ArtifactKind): StreamedArtifactFile {
    return new StreamedArtifactFile(this.pathOf(kind));
  }

  /** Records a streamed file (spooled: it is uploaded; not: it is removed, only its version is reported). */
  added(
    kind: ArtifactKind,
    file: StreamedArtifactFile,
    digest: { sha256: string; bytes: number },
    spool: boolean,
  ) {
    if (spool) this.files[kind] = file.path;
    else file.discard();
    this.record(kind, digest);
  }

  private pathOf(kind: ArtifactKind): string {
    this.dir ??= mkdtempSync(join(this.options.spoolDir ?? tmpdir(), 'publisher-spool-'));
    return join(this.dir, `${kind}.json`);
  }

  private record(kind: ArtifactKind, digest: { sha256: string; bytes: number }): void {
    const uri = this.options.uri(keys.object(this.options.tenant, this.options.surface, kind, digest.sha256));
    this.entries[kind] = { uri, sha256: digest.sha256, bytes: digest.bytes };
  }

  manifest(options: { segment: string; window: Window; now: Date }): Manifest {
    const kinds = Object.keys(this.entries) as ArtifactKind[];
    const entries: Manifest['artifacts'] = {};
    const current: Manifest['current'] = {};
    const shas: Partial<Record<ArtifactKind, string>> = {};
    for (const kind of kinds) {
      entries[kind] = this.entries[kind]!;
      current[kind] = this.entries[kind]!.uri;
      shas[kind] = this.entries[kind]!.sha256;
    }
    return Manifest.parse({
      v: 1,
      tenant: this.options.tenant,
      surface: this.options.surface,
      segment: options.segment,
      version: versionOf(options.segment, shas),
      current,
      artifacts: entries,
      window: { start: isoOf(options.window.start), end: isoOf(options.window.end) },
      updated_at: options.now.toISOString(),
      previous_version: null,
    });
  }

  dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/** Serializes a whole set (see ArtifactSpool) and composes the staged manifest. */
export function prepare(
  artifacts: Partial<Record<ArtifactKind, Artifact>>,
  options: {
    tenant: string;
    surface: string;
    segment: string;
    window: Window;
    uri: (key: string) => string;
    now: Date;
    spoolDir?: string;
    /** false: only hash the serialization; no files. */
    spool?: boolean;
  },
): Prepared {
  const spool = new ArtifactSpool(options);
  try {
    for (const kind of Object.keys(artifacts) as ArtifactKind[])
      spool.add(kind, artifacts[kind]!, options.spool !== false);
    const manifest = spool.manifest(options);
    return { manifest, artifacts, files: spool.files, dispose: () => spool.dispose() };
  } catch (error) {
    spool.dispose();
    throw error;
  }
}

/**
 * Uploads objects from their spool files (skipping ones already there), verifies each by streaming it back
 * through sha256, then writes the staged manifest.
 */
export async function stageToStore(
  store: ObjectStore,
  prepared: Pick<Prepared, 'manifest' | 'files'>,
): Promise<string> {
  const { manifest } = prepared;
  const matches = (
    entry: { sha256: string; bytes: number },
    found: { sha256: string; bytes: number } | null,
  ) =>
    found === null
      ? 'missing after upload'
      : found.bytes !== entry.bytes
        ? `size ${found.bytes} != ${entry.bytes}`
        : found.sha256 !== entry.sha256
          ? `sha256 ${found.sha256} != ${entry.sha256}`
          : null;
  for (const kind of Object.keys(prepared.files) as ArtifactKind[]) {
    const entry = manifest.artifacts[kind]!;
    const key = keys.object(manifest.tenant, manifest.surface, kind, entry.sha256);
    const existing = await digestOf(store, key);
    if (matches(entry, existing) !== null) {
      await putFile(store, key, prepared.files[kind]!, entry.bytes);
      const problem = matches(entry, await digestOf(store, key));
      if (problem) throw new Error(`object ${key} failed verification: ${problem}`);
    }
  }
  const stagedKey = keys.staged(manifest.tenant, manifest.surface, manifest.version);
  await store.put(stagedKey, JSON.stringify(manifest, null, 2));
  return stagedKey;
}

/** Loads and verifies every artifact a manifest names (for local evaluation, validate and rollback checks). */
export async function loadArtifacts(
  store: ObjectStore,
  manifest: Manifest,
): Promise<Partial<Record<ArtifactKind, Artifact>>> {
  const out: Partial<Record<ArtifactKind, Artifact>> = {};
  for (const [kind, entry] of Object.entries(manifest.artifacts) as [
    ArtifactKind,
    Manifest['artifacts'][ArtifactKind],
  ][]) {
    if (!entry) continue;
    const key = keys.object(manifest.tenant, manifest.surface, kind, entry.sha256);
    const object = await store.get(key);
    if (!object) throw new Error(`${kind}: object ${key} is missing`);
    const problem = verifyObject(entry, object.body);
    if (problem) throw new Error(`${kind}: object ${key}: ${problem}`);
    out[kind] = Artifact.parse(JSON.parse(object.body.toString('utf8')));
  }
  return out;
}

export async function loadStagedManifest(
  store: ObjectStore,
  tenant: string,
  surface: string,
  version: string,
): Promise<Manifest | null> {
  const object = await store.get(keys.staged(tenant, surface, version));
  return object ? Manifest.parse(JSON.parse(object.body.toString('utf8'))) : null;
}

function stableUserOrder(users: string[]): string[] {
  return users
    .map((u) => ({ u, h: createHash('sha256').update(u).digest('hex') }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .map((x) => x.u);
}

function toEvalMetrics(summary: MetricSummary): EvalMetrics {
  return { ...summary };
}

export async function runPipeline(deps: PipelineDeps, options: RunOptions): Promise<RunResult> {
  const stages: RunResult['stages'] = [];
  try {
    return await runStages(deps, options, stages);
  } finally {
    // One observation per stage and run, also when a stage ran once per artifact.
    for (const stage of stages) deps.observeStage?.(stage.name, stage.seconds, stage.peakRssMb * 2 ** 20);
  }
}

async function runStages(
  deps: PipelineDeps,
  options: RunOptions,
  stages: RunResult['stages'],
): Promise<RunResult> {
  const { logger } = deps;
  /** Adds time to a stage (entries of one stage add up, as build/validate/stage run once per artifact). */
  const account = (name: string, seconds: number, cpuSeconds: number, peakRssMb: number) => {
    const seen = stages.find((s) => s.name === name);
    if (seen) {
      seen.seconds += seconds;
      seen.cpuSeconds += cpuSeconds;
      seen.peakRssMb = Math.max(seen.peakRssMb, peakRssMb);
    } else stages.push({ name, seconds, cpuSeconds, peakRssMb });
  };
  const timed = async <T>(name: string, fn: (stage: Stage) => Promise<T> | T): Promise<T> => {
    const stage = deps.stage(name);
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    stage.start();
    try {
      return await fn(stage);
    } finally {
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      stage.end();
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      account(name, seconds, cpuSeconds, Math.round(peak / 2 ** 20));
      logger.info(
        { stage: name, seconds: Number(seconds.toFixed(3)), peak_rss_mb: Math.round(peak / 2 ** 20) },
        'stage done',
      );
    }
  };

  const { tenant, surface, segment, window, gate } = options;
  const holdoutMs = gate.enabled ? gate.holdoutMs : 0;
  const trainWindow: Window = { start: window.start, end: window.end - holdoutMs };
  const holdoutWindow: Window = { start: trainWindow.end, end: window.end };
  if (trainWindow.end <= trainWindow.start)
    throw new RangeError('the holdout covers the whole window; widen the window or shorten --holdout');
  const asOf = options.asOf ?? trainWindow.end;

  // 1. Read + accumulate (holdout truth collected in the same pass).
  const truth = new Map<string, Set<string>>();
  const weights = options.build.typeWeights ?? DEFAULT_TYPE_WEIGHTS;
  const acc = await timed('read', async (stage) => {
    async function* tee(): AsyncGenerator<InputRecord> {
      for await (const record of deps.openInput(window)) {
        if (holdoutMs > 0 && record.kind === 'event') {
          const e = record.event;
          if (
            e.userId &&
            e.at >= holdoutWindow.start &&
            e.at < holdoutWindow.end &&
            (weights[e.type] ?? 0) > 0
          ) {
            let set = truth.get(e.userId);
            if (!set) truth.set(e.userId, (set = new Set()));
            set.add(e.itemId);
          }
        }
        yield record;
      }
    }
    return accumulate(tee(), accumulateParams(options.build, trainWindow, asOf), (n) => stage.tick(n));
  });
  const input = { ...acc.stats, items: acc.itemIds.length, users: acc.userIds.length };
  logger.info(input, 'input read');

  // 2. Build.
  const base: EnvelopeBase = {
    tenant,
    surface,
    segment,
    window: { start: isoOf(trainWindow.start), end: isoOf(trainWindow.end) },
    builtAt: isoOf(asOf),
    publisherVersion: deps.publisherVersion,
    sourceHash: acc.sourceHash,
  };
  // 2–4. Build, validate and serialize one artifact at a time. When the objects are needed afterwards (DB mode,
  // the local gate) each is built in memory, checked, spooled to a file and kept. Otherwise none is ever held:
  // each row goes to the artifact's file and its checks as it is built (StreamedArtifactFile, RowChecker), so
  // memory holds the counters and one row, whatever the size of the artifacts. Then stage: upload the spooled
  // objects and the staged manifest (or PUT to serving in DB mode), and find the current version.
  const keepObjects = options.mode === 'db' || (holdoutMs > 0 && gate.evaluator === 'local');
  const artifacts: Partial<Record<ArtifactKind, Artifact>> = {};
  const counts: Record<string, Record<string, number>> = {};
  const validator = new ArtifactValidator(
    { maxArtifactBytes: options.build.maxArtifactBytes },
    { tenant, surface, segment },
  );
  const spool = new ArtifactSpool({ tenant, surface, uri: (key) => deps.store?.uri(key) ?? key });
  let currentVersion: string | null = null;
  // The live version's input window (artifact mode), to tell when it was trained on the holdout.
  let currentWindow: Manifest['window'] | null = null;
  let manifest: Manifest;
  try {
    let buildStage: Stage | null = null;
    const steps = artifactSteps(acc, base, options.build, (f) => buildStage?.tick(Math.round(f * 100)), {
      release: true,
    });
    for (;;) {
      const next = steps.next();
      if (next.done) break;
      const step = next.value;
      const { kind } = step;
      if (keepObjects) {
        const artifact = await timed('build', (stage) => {
          buildStage = stage;
          return collect<Artifact>(step.write);
        });
        buildStage = null;
        if (!step.keepEmpty && rowCount(artifact) === 0) continue;
        counts[kind] = artifact.counts;
        const clean = await timed('validate', () => validator.add(kind, artifact));
        // A refused artifact is only hashed (for the version reported), never spooled.
        await timed('stage', () => spool.add(kind, artifact, clean));
        artifacts[kind] = artifact;
        continue;
      }
      const file = spool.open(kind);
      const rows = new RowChecker(kind);
      try {
        const head = await timed('build', (stage) => {
          buildStage = stage;
          return step.write((row) => {
            file.row(row);
            rows.add(row);
          });
        });
        buildStage = null;
        rows.flush();
        // The row checks ran inside the build: their time is validation's.
        const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
        account('build', -rows.seconds, -rows.cpuSeconds, rss);
        account('validate', rows.seconds, rows.cpuSeconds, rss);
        if (!step.keepEmpty && rows.count === 0) {
          file.discard();
          continue;
        }
        counts[kind] = head.counts;
        const digest = await timed('stage', () => file.finish(head));
        const clean = await timed('validate', () =>
          validator.addStreamed(kind, head, rows, digest.bytes, file.problem),
        );
        spool.added(kind, file, digest, clean);
      } catch (error) {
        file.discard();
        throw error;
      }
    }
    const validation = await timed('validate', () => validator.finish());
    const now = deps.now();
    manifest = spool.manifest({ segment, window: trainWindow, now });
    if (!validation.ok) {
      logger.error({ errors: validation.errors }, 'artifacts refused by validation');
      return {
        status: 'invalid',
        version: manifest.version,
        manifest,
        report: null,
        errors: validation.errors,
        stages,
        counts,
        input,
      };
    }
    await timed('stage', async () => {
      if (options.mode === 'artifact') {
        const store = requireStore(deps);
        const live = (await readCurrent(store, tenant, surface)).manifest;
        currentVersion = live?.version ?? null;
        currentWindow = live?.window ?? null;
        manifest.previous_version = currentVersion;
        await stageToStore(store, { manifest, files: spool.files });
      } else {
        const serving = requireServing(deps);
        currentVersion = (await serving.status(tenant, surface, segment)).live;
        manifest.previous_version = currentVersion;
        await serving.putVersion(manifest, artifacts);
      }
    });
  } finally {
    spool.dispose();
  }
  logger.info({ version: manifest.version, current: currentVersion }, 'candidate staged');

  // 5. Evaluate (gate).
  let report: EvalReport | null = null;
  let reportKeys: RunResult['reportKeys'];
  let refused = false;
  if (holdoutMs > 0) {
    const result = await timed('evaluate', async (stage) => {
      const known = new Set(acc.userIds);
      const users = stableUserOrder([...truth.keys()].filter((u) => known.has(u))).slice(0, gate.maxUsers);
      const evaluator = evaluatorFor(deps, options, artifacts, manifest.version);
      const catalogSize = counts.catalog?.items ?? acc.itemIds.length;
      stage.start(users.length * (currentVersion ? 2 : 1));
      const candidate = await evaluateVersion(
        evaluator,
        manifest.version,
        truth,
        users,
        gate.k,
        catalogSize,
        gate.concurrency,
        (d) => stage.tick(d),
      );
      const current =
        currentVersion && currentVersion !== manifest.version
          ? await evaluateVersion(
              evaluator,
              currentVersion,
              truth,
              users,
              gate.k,
              catalogSize,
              gate.concurrency,
              (d) => stage.tick(users.length + d),
            )
          : currentVersion === manifest.version
            ? candidate
            : null;
      return { candidate, current, users };
    });
    const decision = compareToBaseline(result.candidate, result.current, gate.metrics, gate.tolerance);
    refused = decision.regressed;
    const outcome = !decision.regressed ? 'pass' : gate.forceReason ? 'forced' : 'refused';
    report = EvalReport.parse({
      v: 1,
      tenant,
      surface,
      segment,
      candidate_version: manifest.version,
      current_version: currentVersion,
      evaluator: gate.evaluator,
      train_window: base.window,
      holdout_window: { start: isoOf(holdoutWindow.start), end: isoOf(holdoutWindow.end) },
      candidate: toEvalMetrics(result.candidate),
      current: result.current ? toEvalMetrics(result.current) : null,
      tolerance: gate.tolerance,
      gate_metrics: gate.metrics,
      decision: outcome,
      reasons: [
        ...(result.users.length ? [] : ['no holdout users with training history: nothing to evaluate']),
        ...decision.reasons,
        ...holdoutSeenBy(currentVersion, currentWindow, holdoutWindow),
      ],
      ...(outcome === 'forced' ? { forced_reason: gate.forceReason } : {}),
      generated_at: deps.now().toISOString(),
      publisher_version: deps.publisherVersion,
    });
    manifest.gate = {
      decision: outcome,
      metrics: {
        recall: result.candidate.recall,
        ndcg: result.candidate.ndcg,
        hit_rate: result.candidate.hit_rate,
        coverage: result.candidate.coverage,
      },
      baseline_metrics: result.current
        ? {
            recall: result.current.recall,
            ndcg: result.current.ndcg,
            hit_rate: result.current.hit_rate,
            coverage: result.current.coverage,
          }
        : null,
    };
    if (outcome === 'forced') manifest.forced_reason = gate.forceReason!;
    if (deps.store) {
      const dir = keys.stagedDir(tenant, surface, manifest.version);
      reportKeys = { json: `${dir}/report.json`, md: `${dir}/report.md`, html: `${dir}/report.html` };
      await deps.store.put(reportKeys.json, JSON.stringify(report, null, 2));
      await deps.store.put(reportKeys.md, reportMarkdown(report), {
        contentType: 'text/markdown; charset=utf-8',
      });
      await deps.store.put(reportKeys.html, reportHtml(report), { contentType: 'text/html; charset=utf-8' });
      manifest.eval_report_uri = deps.store.uri(reportKeys.json);
      if (options.mode === 'artifact')
        await deps.store.put(
          keys.staged(tenant, surface, manifest.version),
          JSON.stringify(manifest, null, 2),
        );
    }
    logger.info({ decision: outcome, reasons: report.reasons }, 'evaluation gate');
  } else {
    manifest.gate = { decision: 'skipped' };
  }

  const base_result = {
    version: manifest.version,
    manifest,
    report,
    stages,
    counts,
    input,
    ...(reportKeys ? { reportKeys } : {}),
  };
  if (!options.publish) return { ...base_result, status: 'evaluated', errors: [] };
  if (refused && !gate.forceReason)
    return { ...base_result, status: 'refused', errors: report?.reasons ?? [] };

  // 6. Publish: move the pointer last (artifact) or activate (DB), then emit the event.
  await timed('publish', async () => {
    await deps.withLock(tenant, surface, async () => {
      await deps.hooks?.beforePointerMove?.();
      if (options.mode === 'artifact') {
        const store = requireStore(deps);
        const moved = await movePointer(store, {
          tenant,
          surface,
          manifest,
          manifestKey: keys.staged(tenant, surface, manifest.version),
          action: 'publish',
          expectedCurrent: currentVersion,
          writer: deps.writer,
          now: deps.now(),
        });
        Object.assign(manifest, moved.manifest);
        await deps.emit({
          type: 'manifest.published',
          tenant_id: tenant,
          surface,
          segment,
          version: manifest.version,
          uri: store.uri(keys.current(tenant, surface)),
          at: deps.now().toISOString(),
        });
      } else {
        const serving = requireServing(deps);
        const live = (await serving.status(tenant, surface, segment)).live;
        if (live !== currentVersion) {
          throw new PointerConflictError(
            `serving's live version of ${tenant}/${surface}/${segment} is ${live ?? 'unset'}, evaluated against ${currentVersion ?? 'unset'}: another publish happened meanwhile`,
          );
        }
        await serving.activate(tenant, surface, segment, manifest.version);
        await deps.emit({
          type: 'manifest.published',
          tenant_id: tenant,
          surface,
          segment,
          version: manifest.version,
          at: deps.now().toISOString(),
        });
      }
    });
  });
  logger.info({ version: manifest.version, tenant, surface, segment }, 'published');
  return { ...base_result, status: 'published', errors: [] };
}

function evaluatorFor(
  deps: PipelineDeps,
  options: RunOptions,
  candidate: Partial<Record<ArtifactKind, Artifact>>,
  candidateVersion: string,
): Evaluator {
  if (options.gate.evaluator === 'serving') {
    if (!deps.servingEvaluator) throw new Error('serving evaluator is not configured (SERVING_URL)');
    return deps.servingEvaluator;
  }
  return new LocalEvaluator(async (version) => {
    if (version === candidateVersion) return candidate;
    if (!deps.store) return {};
    const manifest = await loadStagedManifest(deps.store, options.tenant, options.surface, version);
    return manifest ? loadArtifacts(deps.store, manifest) : {};
  });
}

function requireStore(deps: PipelineDeps): ObjectStore {
  if (!deps.store) throw new Error('artifact mode needs a store (--store or PUBLISHER_STORE)');
  return deps.store;
}

function requireServing(deps: PipelineDeps): ServingSignals {
  if (!deps.serving) throw new Error('DB mode needs SERVING_URL');
  return deps.serving;
}

export { DAY_MS };

/**
 * A note for the report when the live version's input reaches into the holdout: it was trained on the very
 * purchases it is scored on, so its metrics are optimistic and the comparison favours it.
 */
function holdoutSeenBy(version: string | null, window: Manifest['window'] | null, holdout: Window): string[] {
  if (!version || !window) return [];
  if (Date.parse(window.end) <= holdout.start || Date.parse(window.start) >= holdout.end) return [];
  return [
    `current version ${version} was built on input up to ${window.end}, inside the holdout ` +
      `[${isoOf(holdout.start)}, ${isoOf(holdout.end)}): it has seen the holdout, so its metrics are optimistic`,
  ];
}

import type { TenantConfig } from '@recsys/contracts-admin';
import type {
  ExposureEvent,
  NormalizedRequest,
  RecommendRequestParsed,
  RecommendResponse,
  SimilarRequestParsed,
  Warning,
} from '@recsys/contracts-serving';
import type { Logger } from '@recsys/platform/logger';
import { problems } from '@recsys/platform/problem';
import type { ExposureEmitter } from './adapters/exposures.js';
import type { RuntimeView, TenantRuntimeCache } from './adapters/tenant-runtime.js';
import type { UserStateStore } from './adapters/user-state.js';
import type { Config } from './config.js';
import { Backpressure, OverloadedError } from './domain/backpressure.js';
import { assignExperiment, type Assignment } from './domain/experiments/assign.js';
import {
  hashUserIds,
  normalizeRecommend,
  normalizeSimilar,
  subjectOf,
  toRankingRequest,
} from './domain/normalize.js';
import { defaultRankingConfig, mergeRankingConfig, type TenantConfigDoc } from './domain/ranking/config.js';
import { rank } from './domain/ranking/rank.js';
import { similar } from './domain/ranking/similar.js';
import type { RankedItem, RankingResult, RecentInteraction } from './domain/ranking/types.js';
import { servingProblems } from './errors.js';
import type { ServingMetrics } from './metrics.js';
import { SignalLoadError, SignalNotFoundError } from './signals/errors.js';
import type { Resolution, SignalStore } from './signals/store.js';

/** Who is asking, as far as serving cares (resolved by the auth middleware). */
export interface Caller {
  tenantId: string;
  requestId: string;
  /** Holds the admin role (explain=full, include_trace). */
  isAdmin: boolean;
  /** Holds the operator role (previews). */
  isOperator: boolean;
  /** X-Recsys-Signal-Version: rank with that version; no exposure. */
  previewVersion?: string;
}

export interface ServeDeps {
  config: Config;
  logger: Logger;
  metrics: ServingMetrics;
  signals: SignalStore;
  runtime: TenantRuntimeCache;
  userState: UserStateStore;
  exposures: ExposureEmitter | undefined;
  backpressure: Backpressure;
  now?: () => number;
}

export interface Served {
  body: RecommendResponse;
  /** Emitted after the response is written (never for previews). */
  exposure?: ExposureEvent;
}

/**
 * The request flow of the three public routes, between the HTTP layer and the pure engine:
 * normalize → explain/preview gates → backpressure → tenant runtime (admin, cached) → signal snapshot
 * (memory) → user state (one Redis round trip) → experiment → rank → response (+ exposure).
 */
export class ServingService {
  private readonly now: () => number;

  constructor(private readonly deps: ServeDeps) {
    this.now = deps.now ?? Date.now;
  }

  validate(caller: Caller, body: RecommendRequestParsed) {
    const { request, warnings } = normalizeRecommend(body);
    return {
      normalized_request: request,
      ...(warnings.length ? { warnings } : {}),
      meta: {
        tenant_id: caller.tenantId,
        surface: request.surface,
        segment: request.segment,
        algo_version: 'recsys-algo@stub',
        request_id: caller.requestId,
      },
    };
  }

  async recommend(caller: Caller, body: RecommendRequestParsed): Promise<Served> {
    const { request, warnings } = normalizeRecommend(body);
    this.gate(caller, request.k, request.options.explain, request.options.include_trace);
    const release = await this.admit();
    try {
      const { view, warnings: runtimeWarnings } = await this.deps.runtime.get(
        caller.tenantId,
        caller.requestId,
      );
      const resolution = await this.snapshot(caller, request.surface, request.segment);
      const subject = subjectOf(request.user);
      const storedIds = hashUserIds(request.user, this.deps.config.EXPOSURE_HASH_SALT);
      const [recent, stateWarnings] = await this.recent(caller.tenantId, storedIds);
      const now = this.now();
      const experiment = this.experiment(view, request, subject, now);
      const tenantDoc = (view.config?.document ?? null) as TenantConfigDoc | null;
      const config = mergeRankingConfig(
        defaultRankingConfig(),
        tenantDoc,
        request.surface,
        request.weights ?? null,
        experiment?.overrides ?? null,
      );
      const result = rank({
        snapshot: resolution.snapshot,
        recent,
        request: toRankingRequest(request, subjectOf(storedIds)),
        config,
        rules: view.rules?.rules ?? [],
        now,
      });
      const allWarnings = [
        ...warnings,
        ...runtimeWarnings,
        ...this.signalWarnings(resolution, result),
        ...stateWarnings,
        ...result.warnings,
      ];
      const body: RecommendResponse = this.response(
        caller,
        view,
        request.surface,
        request.segment,
        resolution,
        result,
        allWarnings,
        {
          includeReasons: request.options.include_reasons,
          explain: request.options.explain !== 'none',
          trace: request.options.include_trace,
          experiment,
        },
      );
      const exposure = caller.previewVersion
        ? undefined
        : this.exposure(caller, 'recommend', body, request, experiment, now);
      return { body, ...(exposure ? { exposure } : {}) };
    } finally {
      release();
    }
  }

  async similar(caller: Caller, raw: SimilarRequestParsed): Promise<Served> {
    const request = normalizeSimilar(raw);
    this.gate(caller, request.k, request.explain, request.includeTrace);
    const release = await this.admit();
    try {
      const { view, warnings: runtimeWarnings } = await this.deps.runtime.get(
        caller.tenantId,
        caller.requestId,
      );
      const resolution = await this.snapshot(caller, request.surface, request.segment);
      const result = similar({
        snapshot: resolution.snapshot,
        itemId: request.itemId,
        k: request.k,
        includeReasons: request.includeReasons,
        excludeIds: [],
      });
      const warnings = [
        ...request.warnings,
        ...runtimeWarnings,
        ...this.signalWarnings(resolution, result),
        ...result.warnings,
      ];
      const body = this.response(
        caller,
        view,
        request.surface,
        request.segment,
        resolution,
        result,
        warnings,
        {
          includeReasons: request.includeReasons,
          explain: false,
          trace: false,
        },
      );
      const now = this.now();
      const exposure = caller.previewVersion
        ? undefined
        : this.exposure(
            caller,
            'similar',
            body,
            { surface: request.surface, segment: request.segment },
            undefined,
            now,
          );
      return { body, ...(exposure ? { exposure } : {}) };
    } finally {
      release();
    }
  }

  /** Emits the exposure without waiting (a failing Redis never fails or slows the request). */
  emit(exposure: ExposureEvent | undefined, json?: string): void {
    if (exposure) this.deps.exposures?.enqueue(exposure, json);
  }

  // ---- steps -----------------------------------------------------------------------------------------------

  /** Reference order: explain size (422), then explain=full / include_trace role (403); then preview role. */
  private gate(caller: Caller, k: number, explain: string, includeTrace: boolean): void {
    const config = this.deps.config;
    if (explain !== 'none' && k > config.RECSYS_EXPLAIN_MAX_ITEMS) {
      throw servingProblems.explainTooLarge(config.RECSYS_EXPLAIN_MAX_ITEMS);
    }
    if (config.RECSYS_EXPLAIN_REQUIRE_ADMIN && (explain === 'full' || includeTrace) && !caller.isAdmin) {
      throw problems.forbidden('insufficient scope');
    }
    if (caller.previewVersion && !caller.isOperator) {
      throw problems.forbidden('signal version preview requires the operator role');
    }
  }

  private async admit(): Promise<() => void> {
    try {
      return await this.deps.backpressure.acquire();
    } catch (error) {
      if (error instanceof OverloadedError) {
        this.deps.metrics.backpressureRejections.inc();
        throw problems.overloaded(this.deps.config.RECSYS_BACKPRESSURE_RETRY_AFTER / 1000);
      }
      throw error;
    }
  }

  private async snapshot(caller: Caller, surface: string, segment: string): Promise<Resolution> {
    try {
      if (caller.previewVersion) {
        return await this.deps.signals.preview(caller.tenantId, surface, segment, caller.previewVersion);
      }
      return await this.deps.signals.resolve(caller.tenantId, surface, segment);
    } catch (error) {
      if (error instanceof SignalNotFoundError)
        throw servingProblems.versionNotFound(caller.previewVersion ?? '');
      if (error instanceof SignalLoadError) {
        if (error.incompatible) throw servingProblems.artifactIncompatible(error.message);
        throw servingProblems.signalsUnavailable(error.message);
      }
      throw error;
    }
  }

  private async recent(
    tenantId: string,
    user: NormalizedRequest['user'],
  ): Promise<[RecentInteraction[], Warning[]]> {
    try {
      const recent = await this.deps.userState.readStored(tenantId, user);
      this.deps.metrics.userHistoryReads.inc({ result: recent.length ? 'hit' : 'empty' });
      return [recent, []];
    } catch (error) {
      this.deps.metrics.userHistoryReads.inc({ result: 'error' });
      this.deps.logger.debug({ err: error }, 'user state read failed');
      return [[], [{ code: 'USER_STATE_UNAVAILABLE', detail: 'recent interactions unavailable' }]];
    }
  }

  private experiment(
    view: RuntimeView,
    request: NormalizedRequest,
    subject: string | undefined,
    now: number,
  ): Assignment | undefined {
    const config = this.deps.config;
    const experiments = ((view.config?.document as TenantConfig | undefined)?.experiments ??
      []) as TenantConfigDoc['experiments'];
    const asked = request.experiment;
    if (asked?.id && asked.variant) {
      const overrides = experiments
        ?.find((e) => e.id === asked.id)
        ?.variants.find((v) => v.name === asked.variant)?.overrides;
      return { id: asked.id, variant: asked.variant, ...(overrides ? { overrides } : {}) };
    }
    if (!config.EXPERIMENT_ASSIGNMENT_ENABLED) return undefined;
    if (asked && !asked.id) return undefined;
    return assignExperiment(experiments, {
      subject,
      surface: request.surface,
      salt: config.EXPERIMENT_ASSIGNMENT_SALT ?? config.EXPOSURE_HASH_SALT ?? '',
      now,
      ...(asked?.id ? { experimentId: asked.id, defaultVariants: ['A', 'B'] } : {}),
    });
  }

  /** The store's own warnings, unless the engine already said the same thing about a missing snapshot. */
  private signalWarnings(resolution: Resolution, result: RankingResult): Warning[] {
    if (resolution.snapshot) return resolution.warnings;
    const engineSaid = result.warnings.some((w) => w.code === 'SIGNAL_UNAVAILABLE');
    return engineSaid ? [] : resolution.warnings;
  }

  private response(
    caller: Caller,
    view: RuntimeView,
    surface: string,
    segment: string,
    resolution: Resolution,
    result: RankingResult,
    warnings: Warning[],
    options: { includeReasons: boolean; explain: boolean; trace: boolean; experiment?: Assignment },
  ): RecommendResponse {
    const algo = (view.config?.document as { algo?: unknown } | undefined)?.algo;
    const items = result.items.map((item) => toWireItem(item, options.includeReasons, options.explain));
    return {
      items,
      meta: {
        tenant_id: caller.tenantId,
        surface,
        segment,
        algo_version:
          typeof algo === 'string' && algo
            ? `${this.deps.config.RECSYS_ALGO_VERSION}:${algo}`
            : this.deps.config.RECSYS_ALGO_VERSION,
        ...(view.config ? { config_version: view.config.version } : {}),
        ...(view.rules ? { rules_version: view.rules.version } : {}),
        request_id: caller.requestId,
        ...(items.length ? { counts: { returned: items.length } } : {}),
        ...(resolution.version ? { signal_version: resolution.version } : {}),
        ...(options.experiment
          ? { experiment: { id: options.experiment.id, variant: options.experiment.variant } }
          : {}),
      },
      ...(warnings.length ? { warnings } : {}),
      ...(options.trace && result.trace
        ? {
            trace: result.trace.map((t) => ({
              item_id: t.itemId,
              outcome: t.outcome,
              ...(t.score !== undefined ? { score: t.score } : {}),
            })),
          }
        : {}),
    };
  }

  private exposure(
    caller: Caller,
    endpoint: 'recommend' | 'similar',
    body: RecommendResponse,
    request: {
      surface: string;
      segment: string;
      user?: NormalizedRequest['user'];
      context?: NormalizedRequest['context'];
    },
    experiment: Assignment | undefined,
    now: number,
  ): ExposureEvent | undefined {
    if (!this.deps.exposures) return undefined;
    const { user, context } = request;
    const { meta } = body;
    // Field by field (optional ones only when set): this runs for every served response.
    const event: ExposureEvent = {
      v: 1,
      event_id: `${caller.requestId}:${endpoint}`,
      request_id: caller.requestId,
      tenant_id: caller.tenantId,
      surface: request.surface,
      segment: request.segment,
      endpoint,
      occurred_at: new Date(now).toISOString(),
      items: body.items.map((i) => ({ item_id: i.item_id, rank: i.rank, score: i.score })),
      algo_version: meta.algo_version,
    };
    if (user?.user_id !== undefined) event.user_id = user.user_id;
    if (user?.anonymous_id !== undefined) event.anonymous_id = user.anonymous_id;
    if (user?.session_id !== undefined) event.session_id = user.session_id;
    if (meta.config_version !== undefined) event.config_version = meta.config_version;
    if (meta.rules_version !== undefined) event.rules_version = meta.rules_version;
    if (meta.signal_version !== undefined) event.signal_version = meta.signal_version;
    if (experiment) event.experiment = { id: experiment.id, variant: experiment.variant };
    if (context) {
      const c = compact({ locale: context.locale, device: context.device, country: context.country });
      if (Object.keys(c).length) event.context = c;
    }
    return event;
  }
}

function toWireItem(
  item: RankedItem,
  includeReasons: boolean,
  explain: boolean,
): RecommendResponse['items'][number] {
  const wire: RecommendResponse['items'][number] = {
    item_id: item.itemId,
    rank: item.rank,
    score: item.score,
  };
  if (includeReasons && item.reasons?.length) wire.reasons = item.reasons;
  if (explain && item.explain) wire.explain = item.explain;
  return wire;
}

function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

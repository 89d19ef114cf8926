import { createHmac } from 'node:crypto';
import {
  DEFAULT_SEGMENT,
  LIMITS,
  type NormalizedRequest,
  type RecommendRequestParsed,
  type SimilarRequestParsed,
  type Warning,
} from '@recsys/contracts-serving';
import type { ExplainLevel, RankingRequest } from './ranking/types.js';

/**
 * The service half of request normalization (the contract schema already trimmed, lower-cased, de-duplicated
 * and range-checked): reference defaults with their DEFAULT_APPLIED warnings, in the reference's order.
 * Pure.
 */
export function normalizeRecommend(body: RecommendRequestParsed): {
  request: NormalizedRequest;
  warnings: Warning[];
} {
  const warnings: Warning[] = [];
  const segment = body.segment ?? DEFAULT_SEGMENT;
  if (body.segment === undefined) warnings.push(defaulted("segment defaulted to 'default'"));
  const k = body.k ?? LIMITS.defaultK;
  if (body.k === undefined) warnings.push(defaulted(`k defaulted to ${LIMITS.defaultK}`));

  const request: NormalizedRequest = {
    surface: body.surface,
    segment,
    k,
    user: compact({
      user_id: body.user?.user_id,
      anonymous_id: body.user?.anonymous_id,
      session_id: body.user?.session_id,
    }),
    options: {
      include_reasons: body.options?.include_reasons ?? false,
      explain: (body.options?.explain as ExplainLevel | undefined) ?? 'none',
      include_trace: body.options?.include_trace ?? false,
      seed: body.options?.seed ?? 0,
    },
  };
  if (body.context) request.context = compact({ ...body.context });
  if (body.anchors) {
    const maxAnchors = body.anchors.max_anchors ?? LIMITS.defaultMaxAnchors;
    if (body.anchors.max_anchors === undefined) {
      warnings.push(defaulted(`anchors.max_anchors defaulted to ${LIMITS.defaultMaxAnchors}`));
    }
    request.anchors = { item_ids: body.anchors.item_ids ?? [], max_anchors: maxAnchors };
  }
  if (body.options === undefined) warnings.push(defaulted('options defaulted'));
  if (body.candidates) request.candidates = compact({ ...body.candidates });
  if (body.constraints) request.constraints = compact({ ...body.constraints });
  if (body.weights) request.weights = compact({ ...body.weights }) as Record<string, number>;
  if (body.experiment) request.experiment = compact({ ...body.experiment });
  return { request, warnings };
}

export function normalizeSimilar(body: SimilarRequestParsed): {
  surface: string;
  segment: string;
  k: number;
  itemId: string;
  includeReasons: boolean;
  explain: ExplainLevel;
  includeTrace: boolean;
  warnings: Warning[];
} {
  const warnings: Warning[] = [];
  const segment = body.segment ?? DEFAULT_SEGMENT;
  if (body.segment === undefined) warnings.push(defaulted("segment defaulted to 'default'"));
  const k = body.k ?? LIMITS.defaultK;
  if (body.k === undefined) warnings.push(defaulted(`k defaulted to ${LIMITS.defaultK}`));
  return {
    surface: body.surface,
    segment,
    k,
    itemId: body.item_id,
    includeReasons: body.options?.include_reasons ?? false,
    explain: (body.options?.explain as ExplainLevel | undefined) ?? 'none',
    includeTrace: body.options?.include_trace ?? false,
    warnings,
  };
}

/** Reference: the engine subject is the first non-empty of user_id → session_id → anonymous_id. */
export function subjectOf(user: NormalizedRequest['user']): string | undefined {
  return user.user_id ?? user.session_id ?? user.anonymous_id;
}

/** Ids as ingest stores and exports them: hex HMAC-SHA256(salt, id) when a salt is configured. */
export function hashId(id: string, salt: string | undefined): string {
  return salt ? createHmac('sha256', salt).update(id).digest('hex') : id;
}

export interface UserIds {
  user_id?: string;
  session_id?: string;
  anonymous_id?: string;
}

/** A request's or event's user ids as stored (hashId), each hashed once. */
export function hashUserIds(user: UserIds, salt: string | undefined): UserIds {
  const hashed: UserIds = {};
  if (user.user_id) hashed.user_id = hashId(user.user_id, salt);
  if (user.session_id) hashed.session_id = hashId(user.session_id, salt);
  if (user.anonymous_id) hashed.anonymous_id = hashId(user.anonymous_id, salt);
  return hashed;
}

/** The engine's view of a normalized request. */
export function toRankingRequest(request: NormalizedRequest, subjectKey: string | undefined): RankingRequest {
  const anchors = (request.anchors?.item_ids ?? []).slice(
    0,
    request.anchors?.max_anchors ?? LIMITS.maxAnchors,
  );
  const ranking: RankingRequest = {
    surface: request.surface,
    segment: request.segment,
    k: request.k,
    anchors,
    includeIds: request.candidates?.include_ids ?? [],
    excludeIds: request.candidates?.exclude_ids ?? [],
    requiredTags: request.constraints?.required_tags ?? [],
    forbiddenTags: request.constraints?.forbidden_tags ?? [],
    maxPerTag: request.constraints?.max_per_tag ?? {},
    includeReasons: request.options.include_reasons,
    explain: request.options.explain,
    includeTrace: request.options.include_trace,
  };
  if (subjectKey) ranking.subjectId = subjectKey;
  return ranking;
}

function defaulted(detail: string): Warning {
  return { code: 'DEFAULT_APPLIED', detail };
}

function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

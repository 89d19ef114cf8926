/**
 * Turns one validated input (HTTP batch element, bulk line or stream entry) into the row ingest stores and,
 * for outcomes and assignments, the event it re-publishes. Pure: no I/O.
 */
import type {
  AssignmentEvent,
  AssignmentInput,
  ExposureInput,
  OutcomeEvent,
  OutcomeInput,
} from '@recsys/contracts-ingest';
import { deriveEventId, hashIdentifier } from './identity.js';
import { daysBefore, parseInstant, type Instant } from './time.js';

export const RejectCodes = {
  /** Wrong type, missing field or unknown field in one event. */
  EVENT_INVALID: 'RECSYS_EVENT_INVALID',
  /** occurred_at lies further in the future than INGEST_MAX_FUTURE_SKEW. */
  EVENT_IN_FUTURE: 'RECSYS_EVENT_IN_FUTURE',
  /** occurred_at lies before the retention window (INGEST_RETENTION_DAYS). */
  EVENT_TOO_OLD: 'RECSYS_EVENT_TOO_OLD',
  /** The event names a tenant other than the caller's. */
  EVENT_TENANT_MISMATCH: 'RECSYS_EVENT_TENANT_MISMATCH',
  /** A bulk line is not a JSON object. */
  LINE_MALFORMED: 'RECSYS_LINE_MALFORMED',
  /** A bulk line is longer than INGEST_BULK_MAX_LINE_BYTES. */
  LINE_TOO_LONG: 'RECSYS_LINE_TOO_LONG',
  /** A bulk line has no or an unknown `kind`. */
  LINE_UNKNOWN_KIND: 'RECSYS_LINE_UNKNOWN_KIND',
} as const;

export interface NormalizeContext {
  tenantId: string;
  salt: string | undefined;
  nowMs: number;
  maxFutureSkewMs: number;
  /** 0 = no lower bound. */
  retentionDays: number;
}

export interface Rejection {
  ok: false;
  code: string;
  reason: string;
  errors?: { pointer: string; message: string }[];
}

interface Base {
  ok: true;
  eventId: string;
  day: string;
}

export interface ExposureRow {
  tenant_id: string;
  event_id: string;
  occurred_day: string;
  occurred_at: string;
  request_id: string;
  surface: string;
  segment: string;
  endpoint: string;
  user_id: string | null;
  anonymous_id: string | null;
  session_id: string | null;
  algo_version: string;
  config_version: string | null;
  rules_version: string | null;
  signal_version: string | null;
  experiment_id: string | null;
  experiment_variant: string | null;
  items: unknown;
  context: unknown;
}

export interface OutcomeRow {
  tenant_id: string;
  event_id: string;
  occurred_day: string;
  occurred_at: string;
  type: string;
  item_id: string;
  user_id: string | null;
  anonymous_id: string | null;
  session_id: string | null;
  request_id: string | null;
  surface: string | null;
  value: number | null;
  quantity: number | null;
}

export interface AssignmentRow {
  tenant_id: string;
  event_id: string;
  occurred_day: string;
  occurred_at: string;
  experiment_id: string;
  variant: string;
  user_id: string | null;
  anonymous_id: string | null;
  session_id: string | null;
  request_id: string | null;
}

export type NormalizedEvent =
  | (Base & { kind: 'exposure'; row: ExposureRow })
  | (Base & { kind: 'outcome'; row: OutcomeRow; event: OutcomeEvent })
  | (Base & { kind: 'assignment'; row: AssignmentRow; event: AssignmentEvent });

/** `parsed`: occurredAt already parsed by the caller (parseInstant or parseCanonicalUtc of it). */
function checkCommon(
  tenantId: string | undefined,
  occurredAt: string,
  ctx: NormalizeContext,
  parsed?: Instant,
): Rejection | Instant {
  if (tenantId !== undefined && tenantId !== ctx.tenantId) {
    return {
      ok: false,
      code: RejectCodes.EVENT_TENANT_MISMATCH,
      reason: `tenant_id "${tenantId}" does not match the caller's tenant "${ctx.tenantId}"`,
    };
  }
  const instant = parsed ?? parseInstant(occurredAt);
  if (!instant) {
    return { ok: false, code: RejectCodes.EVENT_INVALID, reason: 'occurred_at is not an RFC 3339 timestamp' };
  }
  if (instant.ms > ctx.nowMs + ctx.maxFutureSkewMs) {
    return {
      ok: false,
      code: RejectCodes.EVENT_IN_FUTURE,
      reason: `occurred_at ${occurredAt} is more than ${Math.round(ctx.maxFutureSkewMs / 1000)}s in the future`,
    };
  }
  if (ctx.retentionDays > 0 && instant.day < daysBefore(ctx.nowMs, ctx.retentionDays)) {
    return {
      ok: false,
      code: RejectCodes.EVENT_TOO_OLD,
      reason: `occurred_at ${occurredAt} is older than the ${ctx.retentionDays}-day retention window`,
    };
  }
  return instant;
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/**
 * The normalize functions take a validated input; `parsed`, when given, is its occurred_at as parsed
 * already.
 */
export function normalizeExposure(
  input: ExposureInput,
  ctx: NormalizeContext,
  parsed?: Instant,
): NormalizedEvent | Rejection {
  const instant = checkCommon(input.tenant_id, input.occurred_at, ctx, parsed);
  if ('ok' in instant) return instant;
  const eventId = input.event_id ?? `${input.request_id}:${input.endpoint}`;
  const context = input.context && Object.keys(input.context).length ? input.context : null;
  return {
    ok: true,
    kind: 'exposure',
    eventId,
    day: instant.day,
    row: {
      tenant_id: ctx.tenantId,
      event_id: eventId,
      occurred_day: instant.day,
      occurred_at: instant.iso,
      request_id: input.request_id,
      surface: input.surface,
      segment: input.segment,
      endpoint: input.endpoint,
      user_id: orNull(hashIdentifier(ctx.salt, input.user_id)),
      anonymous_id: orNull(hashIdentifier(ctx.salt, input.anonymous_id)),
      session_id: orNull(hashIdentifier(ctx.salt, input.session_id)),
      algo_version: input.algo_version,
      config_version: orNull(input.config_version),
      rules_version: orNull(input.rules_version),
      signal_version: orNull(input.signal_version),
      experiment_id: orNull(input.experiment?.id),
      experiment_variant: orNull(input.experiment?.variant),
      items: input.items.map((i) => ({
        item_id: i.item_id,
        rank: i.rank,
        score: i.score,
        ...(i.propensity !== undefined ? { propensity: i.propensity } : {}),
      })),
      context,
    },
  };
}

export function normalizeOutcome(
  input: OutcomeInput,
  ctx: NormalizeContext,
  parsed?: Instant,
): NormalizedEvent | Rejection {
  const instant = checkCommon(input.tenant_id, input.occurred_at, ctx, parsed);
  if ('ok' in instant) return instant;
  const stored = {
    type: input.type,
    item_id: input.item_id,
    user_id: hashIdentifier(ctx.salt, input.user_id),
    anonymous_id: hashIdentifier(ctx.salt, input.anonymous_id),
    session_id: hashIdentifier(ctx.salt, input.session_id),
    request_id: input.request_id,
    surface: input.surface,
    value: input.value,
    quantity: input.quantity,
  };
  const eventId =
    input.event_id ??
    deriveEventId('outcome', { tenant_id: ctx.tenantId, occurred_at: instant.iso, ...stored });
  return {
    ok: true,
    kind: 'outcome',
    eventId,
    day: instant.day,
    row: {
      tenant_id: ctx.tenantId,
      event_id: eventId,
      occurred_day: instant.day,
      occurred_at: instant.iso,
      type: stored.type,
      item_id: stored.item_id,
      user_id: orNull(stored.user_id),
      anonymous_id: orNull(stored.anonymous_id),
      session_id: orNull(stored.session_id),
      request_id: orNull(stored.request_id),
      surface: orNull(stored.surface),
      value: orNull(stored.value),
      quantity: orNull(stored.quantity),
    },
    // On the stream, ids are raw (serving keys a user's recent history by the id it is called with).
    event: dropUndefined({
      kind: 'outcome' as const,
      event_id: eventId,
      tenant_id: ctx.tenantId,
      type: input.type,
      item_id: input.item_id,
      user_id: input.user_id,
      anonymous_id: input.anonymous_id,
      session_id: input.session_id,
      request_id: input.request_id,
      surface: input.surface,
      value: input.value,
      quantity: input.quantity,
      occurred_at: instant.iso,
    }),
  };
}

export function normalizeAssignment(
  input: AssignmentInput,
  ctx: NormalizeContext,
  parsed?: Instant,
): NormalizedEvent | Rejection {
  const instant = checkCommon(input.tenant_id, input.occurred_at, ctx, parsed);
  if ('ok' in instant) return instant;
  const stored = {
    experiment_id: input.experiment_id,
    variant: input.variant,
    user_id: hashIdentifier(ctx.salt, input.user_id),
    anonymous_id: hashIdentifier(ctx.salt, input.anonymous_id),
    session_id: hashIdentifier(ctx.salt, input.session_id),
    request_id: input.request_id,
  };
  const eventId =
    input.event_id ??
    deriveEventId('assignment', { tenant_id: ctx.tenantId, occurred_at: instant.iso, ...stored });
  return {
    ok: true,
    kind: 'assignment',
    eventId,
    day: instant.day,
    row: {
      tenant_id: ctx.tenantId,
      event_id: eventId,
      occurred_day: instant.day,
      occurred_at: instant.iso,
      experiment_id: stored.experiment_id,
      variant: stored.variant,
      user_id: orNull(stored.user_id),
      anonymous_id: orNull(stored.anonymous_id),
      session_id: orNull(stored.session_id),
      request_id: orNull(stored.request_id),
    },
    event: dropUndefined({
      kind: 'assignment' as const,
      event_id: eventId,
      tenant_id: ctx.tenantId,
      experiment_id: input.experiment_id,
      variant: input.variant,
      user_id: input.user_id,
      anonymous_id: input.anonymous_id,
      session_id: input.session_id,
      request_id: input.request_id,
      occurred_at: instant.iso,
    }),
  };
}

/**
 * A copy of `value` without its undefined properties, keys in the same order. (Copying instead of deleting
 * in place keeps the object in V8's fast mode, which matters for the JSON.stringify that follows.)
 */
export function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (value[key] !== undefined) out[key] = value[key];
  return out as T;
}

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
import { deriveFlatEventId, hashIdentifier, sortedKeys } from './identity.js';
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
 * The normalize functions take a validated input; `parsed`, when given, is the input's occurred_at as
 * parsed already (see checkCommon).
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

/** Keys of the canonical form an outcome's derived event id is computed from (see deriveFlatEventId). */
const OUTCOME_ID_KEYS = sortedKeys([
  'tenant_id',
  'occurred_at',
  'type',
  'item_id',
  'user_id',
  'anonymous_id',
  'session_id',
  'request_id',
  'surface',
  'value',
  'quantity',
]);

export function normalizeOutcome(
  input: OutcomeInput,
  ctx: NormalizeContext,
  parsed?: Instant,
): NormalizedEvent | Rejection {
  const instant = checkCommon(input.tenant_id, input.occurred_at, ctx, parsed);
  if ('ok' in instant) return instant;
  const userId = hashIdentifier(ctx.salt, input.user_id);
  const anonymousId = hashIdentifier(ctx.salt, input.anonymous_id);
  const sessionId = hashIdentifier(ctx.salt, input.session_id);
  const eventId =
    input.event_id ??
    deriveFlatEventId('outcome', OUTCOME_ID_KEYS, {
      tenant_id: ctx.tenantId,
      occurred_at: instant.iso,
      type: input.type,
      item_id: input.item_id,
      user_id: userId,
      anonymous_id: anonymousId,
      session_id: sessionId,
      request_id: input.request_id,
      surface: input.surface,
      value: input.value,
      quantity: input.quantity,
    });
  // On the stream, ids are raw (serving keys a user's recent history by the id it is called with). The
  // optional fields are set only when present, in this order (the event's JSON is what is re-published).
  const event: OutcomeEvent = {
    kind: 'outcome',
    event_id: eventId,
    tenant_id: ctx.tenantId,
    type: input.type,
    item_id: input.item_id,
  } as OutcomeEvent;
  if (input.user_id !== undefined) event.user_id = input.user_id;
  if (input.anonymous_id !== undefined) event.anonymous_id = input.anonymous_id;
  if (input.session_id !== undefined) event.session_id = input.session_id;
  if (input.request_id !== undefined) event.request_id = input.request_id;
  if (input.surface !== undefined) event.surface = input.surface;
  if (input.value !== undefined) event.value = input.value;
  if (input.quantity !== undefined) event.quantity = input.quantity;
  event.occurred_at = instant.iso;
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
      type: input.type,
      item_id: input.item_id,
      user_id: orNull(userId),
      anonymous_id: orNull(anonymousId),
      session_id: orNull(sessionId),
      request_id: orNull(input.request_id),
      surface: orNull(input.surface),
      value: orNull(input.value),
      quantity: orNull(input.quantity),
    },
    event,
  };
}

/** Keys of the canonical form an assignment's derived event id is computed from. */
const ASSIGNMENT_ID_KEYS = sortedKeys([
  'tenant_id',
  'occurred_at',
  'experiment_id',
  'variant',
  'user_id',
  'anonymous_id',
  'session_id',
  'request_id',
]);

export function normalizeAssignment(
  input: AssignmentInput,
  ctx: NormalizeContext,
  parsed?: Instant,
): NormalizedEvent | Rejection {
  const instant = checkCommon(input.tenant_id, input.occurred_at, ctx, parsed);
  if ('ok' in instant) return instant;
  const userId = hashIdentifier(ctx.salt, input.user_id);
  const anonymousId = hashIdentifier(ctx.salt, input.anonymous_id);
  const sessionId = hashIdentifier(ctx.salt, input.session_id);
  const eventId =
    input.event_id ??
    deriveFlatEventId('assignment', ASSIGNMENT_ID_KEYS, {
      tenant_id: ctx.tenantId,
      occurred_at: instant.iso,
      experiment_id: input.experiment_id,
      variant: input.variant,
      user_id: userId,
      anonymous_id: anonymousId,
      session_id: sessionId,
      request_id: input.request_id,
    });
  const event: AssignmentEvent = {
    kind: 'assignment',
    event_id: eventId,
    tenant_id: ctx.tenantId,
    experiment_id: input.experiment_id,
    variant: input.variant,
  } as AssignmentEvent;
  if (input.user_id !== undefined) event.user_id = input.user_id;
  if (input.anonymous_id !== undefined) event.anonymous_id = input.anonymous_id;
  if (input.session_id !== undefined) event.session_id = input.session_id;
  if (input.request_id !== undefined) event.request_id = input.request_id;
  event.occurred_at = instant.iso;
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
      experiment_id: input.experiment_id,
      variant: input.variant,
      user_id: orNull(userId),
      anonymous_id: orNull(anonymousId),
      session_id: orNull(sessionId),
      request_id: orNull(input.request_id),
    },
    event,
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

import { eventInputSchemas, EVENT_INPUT_KINDS, type EventInputKind } from '@recsys/contracts-ingest';
import type { z } from 'zod';
import { fastEvent } from './fast-validate.js';
import {
  normalizeAssignment,
  normalizeExposure,
  normalizeOutcome,
  RejectCodes,
  type NormalizeContext,
  type NormalizedEvent,
  type Rejection,
} from './normalize.js';

function pointerOf(path: PropertyKey[]): string {
  return path.map((p) => '/' + String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** Field errors of a zod failure as JSON pointers, one per problem (unknown keys one per key). */
export function toRejection(error: z.ZodError, prefix: PropertyKey[] = []): Rejection {
  const errors: { pointer: string; message: string }[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ pointer: pointerOf([...prefix, ...issue.path, key]), message: 'unknown field' });
    } else if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
      errors.push({ pointer: pointerOf([...prefix, ...issue.path]), message: 'is required' });
    } else {
      errors.push({ pointer: pointerOf([...prefix, ...issue.path]), message: issue.message });
    }
  }
  const reason = errors
    .map((e) => `${e.pointer.slice(1).replaceAll('/', '.') || '(event)'}: ${e.message}`)
    .join('; ');
  return { ok: false, code: RejectCodes.EVENT_INVALID, reason, errors };
}

/**
 * Validates and normalises one element of kind `kind`: a well-formed element through the hand-written check
 * (fastEvent), anything else through the schema.
 */
export function validateEvent(
  kind: EventInputKind,
  raw: unknown,
  ctx: NormalizeContext,
): NormalizedEvent | Rejection {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, code: RejectCodes.EVENT_INVALID, reason: 'event must be a JSON object' };
  }
  return fastEvent(kind, raw as Record<string, unknown>, ctx, false) ?? schemaEvent(kind, raw, ctx);
}

/** validateEvent through the schema alone (what fastEvent must agree with). */
export function schemaEvent(
  kind: EventInputKind,
  raw: unknown,
  ctx: NormalizeContext,
): NormalizedEvent | Rejection {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, code: RejectCodes.EVENT_INVALID, reason: 'event must be a JSON object' };
  }
  switch (kind) {
    case 'exposure': {
      const parsed = eventInputSchemas.exposure.safeParse(raw);
      return parsed.success ? normalizeExposure(parsed.data, ctx) : toRejection(parsed.error);
    }
    case 'outcome': {
      const parsed = eventInputSchemas.outcome.safeParse(raw);
      return parsed.success ? normalizeOutcome(parsed.data, ctx) : toRejection(parsed.error);
    }
    case 'assignment': {
      const parsed = eventInputSchemas.assignment.safeParse(raw);
      return parsed.success ? normalizeAssignment(parsed.data, ctx) : toRejection(parsed.error);
    }
  }
}

/** Validates one bulk line object: its `kind` selects the schema; the rest are the input's fields. */
export function validateLine(raw: unknown, ctx: NormalizeContext): NormalizedEvent | Rejection {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, code: RejectCodes.LINE_MALFORMED, reason: 'line must be a JSON object' };
  }
  const kind = (raw as Record<string, unknown>).kind;
  if (kind === 'outcome' || kind === 'assignment' || kind === 'exposure') {
    const fast = fastEvent(kind, raw as Record<string, unknown>, ctx, true);
    if (fast) return fast;
  }
  return schemaLine(raw, ctx);
}

/** validateLine through the schema alone (what fastEvent must agree with). */
export function schemaLine(raw: unknown, ctx: NormalizeContext): NormalizedEvent | Rejection {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, code: RejectCodes.LINE_MALFORMED, reason: 'line must be a JSON object' };
  }
  const { kind, ...rest } = raw as Record<string, unknown>;
  if (typeof kind !== 'string' || !(EVENT_INPUT_KINDS as readonly string[]).includes(kind)) {
    return {
      ok: false,
      code: RejectCodes.LINE_UNKNOWN_KIND,
      reason:
        kind === undefined
          ? `kind is required (one of ${EVENT_INPUT_KINDS.join(', ')})`
          : `unknown kind ${JSON.stringify(kind)} (expected one of ${EVENT_INPUT_KINDS.join(', ')})`,
    };
  }
  return schemaEvent(kind as EventInputKind, rest, ctx);
}

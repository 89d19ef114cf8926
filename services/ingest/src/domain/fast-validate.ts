/**
 * Hand-written check of the common, well-formed event input, in front of the zod schemas of
 * `@recsys/contracts-ingest`. It accepts only a subset of what the schemas accept (plain text without NUL
 * or surrogates, surfaces and segments of safe characters that need no trimming, timestamps in the form
 * `YYYY-MM-DDTHH:MM:SS[.f…]Z`, no unknown keys), and hands the normaliser the same input the schema would
 * produce. Anything else — every input that would be rejected, and the unusual valid ones — gets
 * `undefined`, and the caller runs the schema, so rejections and their messages come from the schema alone.
 */
import type { AssignmentInput, EventInputKind, ExposureInput, OutcomeInput } from '@recsys/contracts-ingest';
import {
  normalizeAssignment,
  normalizeExposure,
  normalizeOutcome,
  type NormalizeContext,
  type NormalizedEvent,
  type Rejection,
} from './normalize.js';
import { parseCanonicalUtc, type Instant } from './time.js';

/** NUL or any surrogate (a valid pair too: such text is left to the schema). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNUSUAL = /[\u0000\ud800-\udfff]/;
/** A path segment that needs no trimming and holds nothing the schema's refinement looks at. */
const SEGMENT = /^[\w.:@~+=-]{1,128}$/;

/** Text().min(1) / Id of the contracts, when `max` is given. */
function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max && !UNUSUAL.test(value);
}
const isId = (value: unknown): value is string => isText(value, 1, 256);
const isSegment = (value: unknown): value is string =>
  typeof value === 'string' && SEGMENT.test(value) && value !== '.' && value !== '..';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

type Raw = Record<string, unknown>;
type Result = NormalizedEvent | Rejection | undefined;

/**
 * The normalised event of a well-formed input of kind `kind`, or undefined when the schema has to decide.
 * `withKind`: the input is a bulk line, whose `kind` key is not part of the input.
 */
export function fastEvent(kind: EventInputKind, raw: Raw, ctx: NormalizeContext, withKind: boolean): Result {
  switch (kind) {
    case 'outcome':
      return fastOutcome(raw, ctx, withKind);
    case 'assignment':
      return fastAssignment(raw, ctx, withKind);
    case 'exposure':
      return fastExposure(raw, ctx, withKind);
  }
}

function fastOutcome(raw: Raw, ctx: NormalizeContext, withKind: boolean): Result {
  let instant: Instant | undefined;
  for (const key in raw) {
    const value = raw[key];
    switch (key) {
      case 'kind':
        if (!withKind) return undefined;
        break;
      case 'event_id':
      case 'item_id':
      case 'user_id':
      case 'anonymous_id':
      case 'session_id':
      case 'request_id':
        if (!isId(value)) return undefined;
        break;
      case 'tenant_id':
        if (!isText(value, 1, Infinity)) return undefined;
        break;
      case 'type':
        if (!isText(value, 1, 64)) return undefined;
        break;
      case 'surface':
        if (!isSegment(value)) return undefined;
        break;
      case 'value':
      case 'quantity':
        if (!isNumber(value)) return undefined;
        break;
      case 'occurred_at':
        if (typeof value !== 'string' || !(instant = parseCanonicalUtc(value))) return undefined;
        break;
      default:
        return undefined;
    }
  }
  if (!instant || raw.type === undefined || raw.item_id === undefined) return undefined;
  // Every key is one of the schema's and none needs a transform: the schema's output has the same values
  // (the `kind` of a line is not read).
  return normalizeOutcome(raw as unknown as OutcomeInput, ctx, instant);
}

function fastAssignment(raw: Raw, ctx: NormalizeContext, withKind: boolean): Result {
  let instant: Instant | undefined;
  for (const key in raw) {
    const value = raw[key];
    switch (key) {
      case 'kind':
        if (!withKind) return undefined;
        break;
      case 'event_id':
      case 'experiment_id':
      case 'variant':
      case 'user_id':
      case 'anonymous_id':
      case 'session_id':
      case 'request_id':
        if (!isId(value)) return undefined;
        break;
      case 'tenant_id':
        if (!isText(value, 1, Infinity)) return undefined;
        break;
      case 'occurred_at':
        if (typeof value !== 'string' || !(instant = parseCanonicalUtc(value))) return undefined;
        break;
      default:
        return undefined;
    }
  }
  if (!instant || raw.experiment_id === undefined || raw.variant === undefined) return undefined;
  return normalizeAssignment(raw as unknown as AssignmentInput, ctx, instant);
}

function isPlainObject(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

type Item = ExposureInput['items'][number];

/** The items of an exposure as the schema outputs them, or undefined. */
function items(value: unknown): Item[] | undefined {
  if (!Array.isArray(value) || value.length > 1000) return undefined;
  const out: Item[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (!isPlainObject(item)) return undefined;
    let n = 0;
    for (const key in item) {
      n++;
      if (key !== 'item_id' && key !== 'rank' && key !== 'score' && key !== 'propensity') return undefined;
    }
    const { item_id, rank, score, propensity } = item;
    if (!isId(item_id) || !Number.isSafeInteger(rank) || (rank as number) < 1 || !isNumber(score))
      return undefined;
    if (propensity === undefined) {
      if (n !== 3) return undefined;
      out[i] = { item_id, rank: rank as number, score };
    } else {
      if (!isNumber(propensity) || propensity < 0 || propensity > 1) return undefined;
      out[i] = { item_id, rank: rank as number, score, propensity };
    }
  }
  return out;
}

function fastExposure(raw: Raw, ctx: NormalizeContext, withKind: boolean): Result {
  const parsed = fastExposureInput(raw, withKind);
  return parsed && normalizeExposure(parsed.input, ctx, parsed.instant);
}

/**
 * The schema's output for a well-formed exposure (its keys in the schema's order, defaults filled in) and
 * its parsed occurred_at; undefined when the schema has to decide.
 */
export function fastExposureInput(
  raw: Raw,
  withKind: boolean,
): { input: ExposureInput; instant: Instant } | undefined {
  let instant: Instant | undefined;
  let parsedItems: Item[] | undefined;
  let experiment: ExposureInput['experiment'];
  let context: ExposureInput['context'];
  for (const key in raw) {
    const value = raw[key];
    switch (key) {
      case 'kind':
        if (!withKind) return undefined;
        break;
      case 'v':
        if (value !== 1) return undefined;
        break;
      case 'event_id':
      case 'request_id':
      case 'user_id':
      case 'anonymous_id':
      case 'session_id':
        if (!isId(value)) return undefined;
        break;
      case 'tenant_id':
      case 'algo_version':
        if (!isText(value, 1, Infinity)) return undefined;
        break;
      case 'config_version':
      case 'rules_version':
      case 'signal_version':
        if (!isText(value, 0, Infinity)) return undefined;
        break;
      case 'surface':
      case 'segment':
        if (!isSegment(value)) return undefined;
        break;
      case 'endpoint':
        if (value !== 'recommend' && value !== 'similar') return undefined;
        break;
      case 'occurred_at':
        if (typeof value !== 'string' || !(instant = parseCanonicalUtc(value))) return undefined;
        break;
      case 'items':
        if (!(parsedItems = items(value))) return undefined;
        break;
      case 'experiment': {
        if (!isPlainObject(value)) return undefined;
        for (const k in value) if (k !== 'id' && k !== 'variant') return undefined;
        if (!isId(value.id) || !isId(value.variant)) return undefined;
        experiment = { id: value.id, variant: value.variant };
        break;
      }
      case 'context': {
        if (!isPlainObject(value)) return undefined;
        for (const k in value) {
          if (k !== 'locale' && k !== 'device' && k !== 'country') return undefined;
          if (!isText(value[k], 0, Infinity)) return undefined;
        }
        context = {};
        if (value.locale !== undefined) context.locale = value.locale as string;
        if (value.device !== undefined) context.device = value.device as string;
        if (value.country !== undefined) context.country = value.country as string;
        break;
      }
      default:
        return undefined;
    }
  }
  if (!instant || !parsedItems || raw.request_id === undefined || raw.algo_version === undefined) {
    return undefined;
  }
  const input = {} as ExposureInput;
  if (raw.v !== undefined) input.v = 1;
  if (raw.event_id !== undefined) input.event_id = raw.event_id as string;
  if (raw.tenant_id !== undefined) input.tenant_id = raw.tenant_id as string;
  input.request_id = raw.request_id as string;
  input.surface = (raw.surface as string | undefined) ?? 'default';
  input.segment = (raw.segment as string | undefined) ?? 'default';
  input.endpoint = (raw.endpoint as ExposureInput['endpoint'] | undefined) ?? 'recommend';
  if (raw.user_id !== undefined) input.user_id = raw.user_id as string;
  if (raw.anonymous_id !== undefined) input.anonymous_id = raw.anonymous_id as string;
  if (raw.session_id !== undefined) input.session_id = raw.session_id as string;
  input.occurred_at = raw.occurred_at as string;
  input.items = parsedItems;
  input.algo_version = raw.algo_version as string;
  if (raw.config_version !== undefined) input.config_version = raw.config_version as string;
  if (raw.rules_version !== undefined) input.rules_version = raw.rules_version as string;
  if (raw.signal_version !== undefined) input.signal_version = raw.signal_version as string;
  if (experiment) input.experiment = experiment;
  if (context) input.context = context;
  return { input, instant };
}

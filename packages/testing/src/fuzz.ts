/**
 * Property-based HTTP fuzzing driven by an OpenAPI document. For every operation it generates (with
 * fast-check) malformed and edge-case requests — wrong types, missing required fields, unknown fields, huge
 * strings, deep nesting, unicode, NaN-like strings, negative/huge numbers, arrays where objects are expected,
 * invalid JSON text, SQL-looking and path-traversal strings in every string field, hostile path and query
 * parameters — plus schema-valid values at the schema's edges and, where the caller gives known-valid
 * seed bodies, those seeds with a few leaves set to edge values (they pass validation and reach the
 * handlers) — and checks every answer:
 *   - never a 5xx, never a dropped connection;
 *   - every 4xx is `application/problem+json` with a `code` from docs/api/errors.md and a `request_id`;
 *   - error codes are stable: a sample of the refused requests is sent again and must get the same status
 *     and code (a refused request changes nothing, so the answer cannot change).
 * Requests go over keep-alive HTTP with bounded concurrency, so 10k runs per operation stay fast against an
 * app served in-process.
 */
import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import {
  exampleOf,
  listOperations,
  loadErrorCatalogue,
  resolveRef,
  type JsonSchema,
  type OpenApiDocument,
  type OperationInfo,
} from './openapi.js';

export {
  exampleOf,
  fillPath,
  findRepoRoot,
  listOperations,
  loadErrorCatalogue,
  loadOpenApi,
  resolveRef,
  type JsonSchema,
  type OpenApiDocument,
  type OperationInfo,
  type ParameterInfo,
} from './openapi.js';

// ---- hostile values -------------------------------------------------------------------------------------

export const SQL_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE tenants; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5); --',
  "x') UNION SELECT usename, passwd FROM pg_shadow --",
  "\\'; TRUNCATE events CASCADE; --",
  '$$; DROP SCHEMA public CASCADE; $$',
  "Robert'); DELETE FROM api_keys WHERE ('1'='1",
];

export const PATH_TRAVERSAL_STRINGS = [
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  '/etc/passwd',
  '..',
  '.',
  'a/../../b',
  'file:///etc/passwd',
  's3://other-bucket/x',
  '\u0000../x',
];

export const NAN_LIKE_STRINGS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x10',
  '1_000',
  'null',
  'undefined',
  'true',
  '',
];

export const UNICODE_STRINGS = [
  '\u202Egnp.exe',
  'zero\u200Bwidth',
  '\uFEFFbom',
  '\uD800',
  '\uDFFF\uD800',
  '💥🔥👩‍👩‍👧‍👦',
  'Ω≈ç√∫˜µ≤≥÷',
  'ﷺ',
  '\u0000',
  'line\nbreak\r\n',
  '<script>alert(1)</script>',
  '{{7*7}}${7*7}',
  '__proto__',
  'constructor',
];

const HOSTILE_CONSTANTS = [
  ...SQL_STRINGS,
  ...PATH_TRAVERSAL_STRINGS,
  ...NAN_LIKE_STRINGS,
  ...UNICODE_STRINGS,
];

/** Strings a service must treat as opaque data (or refuse with a 4xx). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_CONSTANTS), weight: 12 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 4 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '💥', "'", '/'), fc.integer({ min: 1000, max: 100_000 }))
      .map(([c, n]) => c.repeat(n)),
    weight: 1,
  },
);

/**
 * Hostile strings for URLs: capped at 1,000 characters, since Node's HTTP parser (and every proxy) refuses
 * request lines beyond its header limit before the app sees them (431 without a problem body).
 */
export const urlString: fc.Arbitrary<string> = hostileString.map((s) =>
  s.length > 1000 ? s.slice(0, 1000) : s,
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    1.5,
    -1e308,
    1e308,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 31) - 1,
    2 ** 31,
    2 ** 63,
    1e-320,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A JSON value of a random shape, including the wrong types for any field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: hostileNumber, weight: 3 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { '': null }), weight: 2 },
  { arbitrary: fc.array(hostileString, { maxLength: 5 }), weight: 1 },
  { arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 4 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 200 }).map((d) => nest(d)), weight: 1 },
);

function nest(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** JSON text that no strict parser accepts, or accepts with surprising meaning. */
export const invalidJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '}',
    '{"a":}',
    '{"a":1,}',
    '[1,2',
    "{'a':1}",
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":undefined}',
    'null',
    'true',
    '"string"',
    '123',
    '[]',
    '\uFEFF{}',
    '{"a":"\\uD800"}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":1}{"b":2}',
    '{"a":1} trailing',
    '\u0000',
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1000, max: 20_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.integer({ min: 100, max: 5000 }).map((d) => '['.repeat(d)),
  fc.string({ unit: 'binary', maxLength: 64 }),
);

// ---- schema-driven generation ----------------------------------------------------------------------------

/** Values that (mostly) satisfy the schema, with hostile strings in every string field. */
export function arbitraryOf(
  document: OpenApiDocument,
  schemaNode: JsonSchema,
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = resolveRef(document, schemaNode ?? {});
  if (depth > 6) return fc.constant(exampleOf(document, schema));
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length) {
    return fc.oneof(...alternatives.map((a: JsonSchema) => arbitraryOf(document, a, depth + 1)));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) {
    return fc
      .tuple(...schema.allOf.map((s: JsonSchema) => arbitraryOf(document, s, depth + 1)))
      .map((parts) =>
        parts.every((p) => p && typeof p === 'object' && !Array.isArray(p))
          ? Object.assign({}, ...parts)
          : parts[0],
      );
  }
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const type = types.find((t) => t !== 'null') ?? (schema.properties ? 'object' : undefined);
  const nullable = types.includes('null');
  let arb: fc.Arbitrary<unknown>;
  switch (type) {
    case 'object': {
      const props: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, sub] of Object.entries<JsonSchema>(schema.properties ?? {})) {
        props[name] = arbitraryOf(document, sub, depth + 1);
      }
      const required = (schema.required ?? []).filter((r: string) => r in props);
      arb = Object.keys(props).length
        ? fc.record(props, { requiredKeys: required })
        : fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), {
            maxKeys: 3,
          });
      break;
    }
    case 'array':
      arb = fc.array(arbitraryOf(document, schema.items ?? {}, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, Math.max(schema.minItems ?? 0, 5)),
      });
      break;
    case 'string':
      arb = fc.oneof(
        { arbitrary: fc.constant(exampleOf(document, schema)), weight: 3 },
        { arbitrary: hostileString, weight: 2 },
        ...(schema.format === 'date-time'
          ? [{ arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), weight: 2 }]
          : []),
      );
      break;
    case 'integer':
      arb = fc.oneof(
        { arbitrary: fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 }), weight: 3 },
        { arbitrary: hostileNumber, weight: 1 },
      );
      break;
    case 'number':
      arb = fc.oneof(
        {
          arbitrary: fc.double({
            min: schema.minimum ?? -1000,
            max: schema.maximum ?? 1000,
            noNaN: true,
            noDefaultInfinity: true,
          }),
          weight: 3,
        },
        { arbitrary: hostileNumber, weight: 1 },
      );
      break;
    case 'boolean':
      arb = fc.boolean();
      break;
    default:
      arb = hostileValue;
  }
  return nullable ? fc.option(arb, { nil: null }) : arb;
}

/**
 * Values inside the schema's bounds, pushed to its edges: lengths and numbers at their limits, SQL-looking,
 * unicode and path-looking strings where the length allows, optional properties present or not. They pass
 * the contract's validation (unless the service checks more than the schema says), so they reach the
 * handler and the code behind it.
 */
export function edgeArbitraryOf(
  document: OpenApiDocument,
  schemaNode: JsonSchema,
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = resolveRef(document, schemaNode ?? {});
  if (depth > 6) return fc.constant(exampleOf(document, schema));
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length) {
    return fc.oneof(...alternatives.map((a: JsonSchema) => edgeArbitraryOf(document, a, depth + 1)));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) return fc.constant(exampleOf(document, schema));
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const type = types.find((t) => t !== 'null') ?? (schema.properties ? 'object' : undefined);
  let arb: fc.Arbitrary<unknown>;
  switch (type) {
    case 'object': {
      const props: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, sub] of Object.entries<JsonSchema>(schema.properties ?? {})) {
        props[name] = edgeArbitraryOf(document, sub, depth + 1);
      }
      const required = (schema.required ?? []).filter((r: string) => r in props);
      arb = Object.keys(props).length
        ? fc.record(props, { requiredKeys: required })
        : fc.constant(exampleOf(document, schema));
      break;
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? min + 5, min + 5);
      arb = fc.array(edgeArbitraryOf(document, schema.items ?? {}, depth + 1), {
        minLength: min,
        maxLength: max,
      });
      break;
    }
    case 'string': {
      if (schema.pattern || (schema.format && schema.format !== 'date-time')) {
        arb = fc.constant(exampleOf(document, schema));
        break;
      }
      if (schema.format === 'date-time') {
        arb = fc.oneof(
          fc.constant(exampleOf(document, schema)),
          fc
            .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') })
            .filter((d) => !Number.isNaN(d.getTime()))
            .map((d) => d.toISOString()),
        );
        break;
      }
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? 10_000;
      // Contracts are zod schemas: lengths count UTF-16 code units.
      const fits = (v: string) => v.length >= min && v.length <= max;
      const candidates = HOSTILE_CONSTANTS.filter(fits);
      arb = fc.oneof(
        { arbitrary: fc.constant(exampleOf(document, schema)), weight: 4 },
        ...(candidates.length ? [{ arbitrary: fc.constantFrom(...candidates), weight: 3 }] : []),
        {
          arbitrary: fc
            .string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) })
            .filter(fits),
          weight: 2,
        },
        { arbitrary: fc.constant('x'.repeat(Math.max(min, Math.min(max, 10_000)))), weight: 1 },
      );
      break;
    }
    case 'integer': {
      const least =
        schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : schema.minimum;
      const most =
        schema.exclusiveMaximum !== undefined ? Math.ceil(schema.exclusiveMaximum) - 1 : schema.maximum;
      const lo = Math.ceil(Math.max(least ?? -1e6, -1e6));
      const hi = Math.floor(Math.min(most ?? 1e6, 1e6));
      const edges = [least ?? -(2 ** 31), most ?? 2 ** 31, 0, 1, -1].filter(
        (n) =>
          Number.isSafeInteger(n) && (least === undefined || n >= least) && (most === undefined || n <= most),
      );
      arb = fc.oneof(
        ...(edges.length ? [fc.constantFrom(...edges)] : []),
        fc.integer({ min: Math.min(lo, hi), max: Math.max(lo, hi) }),
      );
      break;
    }
    case 'number': {
      const lo = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
      const hi = schema.maximum ?? schema.exclusiveMaximum ?? 1e6;
      arb = fc
        .oneof(
          fc.constantFrom(lo, hi, 0, Number.MIN_VALUE),
          fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }),
        )
        .filter(
          (n) =>
            n >= lo &&
            n <= hi &&
            (schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum) &&
            (schema.exclusiveMaximum === undefined || n < schema.exclusiveMaximum),
        );
      break;
    }
    case 'boolean':
      arb = fc.boolean();
      break;
    default:
      arb = fc.constant(exampleOf(document, schema));
  }
  return types.includes('null') ? fc.option(arb, { nil: null }) : arb;
}

const edgeString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_CONSTANTS.filter((v) => v.length <= 64)), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.constantFrom('', ' ', 'x'.repeat(256), 'x'.repeat(5000)), weight: 1 },
);

const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 1e-9, 2 ** 31, 2 ** 53 - 1, -1e6, 1e308),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/**
 * A known-valid body with one to three leaves replaced by edge values of the same JSON type (strings by
 * SQL-looking, unicode, path-looking, empty or long ones; numbers by 0, -0, tiny, huge, negative), or an
 * array emptied. Such bodies mostly pass validation and exercise the handlers behind it.
 */
export function seedMutationArbitrary(seeds: unknown[]): fc.Arbitrary<unknown> {
  const edit = fc.tuple(fc.nat(), edgeString, edgeNumber, fc.boolean());
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([seed, edits]) => {
      const value = structuredClone(seed);
      for (const [at, text, number, flag] of edits) {
        const all = slots(value);
        if (!all.length) break;
        const { parent, key } = all[at % all.length]!;
        const p = parent as Record<string | number, unknown>;
        const current = p[key];
        if (typeof current === 'string') p[key] = text;
        else if (typeof current === 'number') p[key] = number;
        else if (typeof current === 'boolean') p[key] = flag;
        else if (Array.isArray(current) && flag) p[key] = [];
      }
      return value;
    });
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'unknown-field'; at: number; name: string; value: unknown }
  | { kind: 'wrap-array'; at: number }
  | { kind: 'whole'; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('unknown-field' as const),
      at: fc.nat(),
      name: fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'unknown_field', '$where', ''),
        hostileString,
      ),
      value: hostileValue,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('wrap-array' as const), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('whole' as const), value: hostileValue }), weight: 1 },
);

type Container = Record<string, unknown> | unknown[];

/** Every (container, key) slot of a JSON value, depth first. */
function slots(value: unknown, out: { parent: Container; key: string | number }[] = []) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      slots(v, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value as Record<string, unknown>, key: k });
      slots(v, out);
    }
  }
  return out;
}

function objects(value: unknown, out: Record<string, unknown>[] = []) {
  if (Array.isArray(value)) value.forEach((v) => objects(v, out));
  else if (value && typeof value === 'object') {
    out.push(value as Record<string, unknown>);
    Object.values(value).forEach((v) => objects(v, out));
  }
  return out;
}

export function applyMutation(base: unknown, mutation: Mutation): unknown {
  if (mutation.kind === 'none') return base;
  if (mutation.kind === 'whole') return mutation.value;
  const value = structuredClone(base);
  if (mutation.kind === 'unknown-field') {
    const targets = objects(value);
    if (!targets.length) return mutation.value;
    const target = targets[mutation.at % targets.length]!;
    Object.defineProperty(target, mutation.name, {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return value;
  }
  const all = slots(value);
  if (!all.length)
    return mutation.kind === 'wrap-array' ? [value] : mutation.kind === 'replace' ? mutation.value : value;
  const { parent, key } = all[mutation.at % all.length]!;
  const p = parent as Record<string | number, unknown>;
  if (mutation.kind === 'replace') p[key] = mutation.value;
  else if (mutation.kind === 'wrap-array') p[key] = [p[key]];
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete p[key];
  return value;
}

// ---- requests --------------------------------------------------------------------------------------------

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FuzzOperationOptions {
  /** Valid values for path parameters (by name); used for most runs so bodies reach the handler. */
  pathParams?: Record<string, string>;
  /** Extra headers for every request of this operation (after the global ones). */
  headers?: Record<string, string>;
  /**
   * Known-valid bodies (for NDJSON operations: valid lines). A share of the requests mutates one to three of
   * their leaves with edge values, so they pass validation and reach the handler.
   */
  seeds?: unknown[];
  /** A valid query string (name → value); a share of the requests sends it with one value made hostile. */
  query?: Record<string, string>;
}

function requestArbitrary(
  document: OpenApiDocument,
  op: OperationInfo,
  baseHeaders: Record<string, string>,
  pathParams: Record<string, string>,
  seeds: unknown[] = [],
  validQuery: Record<string, string> = {},
): fc.Arbitrary<FuzzRequest> {
  const pathParamArbs: Record<string, fc.Arbitrary<{ raw: boolean; value: string }>> = {};
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const valid = pathParams[p.name] ?? String(exampleOf(document, p.schema));
    pathParamArbs[p.name] = fc.oneof(
      { arbitrary: fc.constant({ raw: false, value: valid }), weight: 7 },
      { arbitrary: urlString.map((value) => ({ raw: false, value })), weight: 2 },
      {
        arbitrary: fc
          .constantFrom(
            ...PATH_TRAVERSAL_STRINGS.filter((v) => /^[\x21-\x7e]+$/.test(v)),
            '%',
            '%zz',
            '..%2f',
          )
          .map((value) => ({ raw: true, value })),
        weight: 1,
      },
    );
  }
  const queryParams = op.parameters.filter((x) => x.in === 'query');
  const queryValue = fc.oneof(
    urlString,
    hostileNumber.map(String),
    fc.constantFrom('1', '0', '-1', '10', 'true', '2026-01-01T00:00:00Z'),
  );
  const hostileQuery =
    queryParams.length === 0
      ? fc.constant([] as [string, string][])
      : fc
          .array(
            fc.tuple(
              fc.oneof(
                { arbitrary: fc.constantFrom(...queryParams.map((q) => q.name)), weight: 5 },
                { arbitrary: fc.constantFrom('unknown', '__proto__', 'a[b]', ''), weight: 1 },
              ),
              queryValue,
            ),
            { maxLength: 4 },
          )
          .map((pairs) => pairs as [string, string][]);
  // A valid query with one parameter set to a hostile value (or left valid), so requests reach the handler.
  const validPairs = Object.entries(validQuery);
  const queryArb = !validPairs.length
    ? hostileQuery
    : fc.oneof(
        { arbitrary: hostileQuery, weight: 2 },
        {
          arbitrary: fc
            .tuple(fc.nat(), queryValue, fc.boolean())
            .map(([at, value, keep]) =>
              validPairs.map(
                ([k, v], i) => [k, keep || i !== at % validPairs.length ? v : value] as [string, string],
              ),
            ),
          weight: 2,
        },
      );

  const bodyArb: fc.Arbitrary<{ text?: string; contentType?: string }> = !op.bodyContentType
    ? fc.constant({})
    : bodyArbitrary(document, op, seeds);

  return fc
    .record({ pathValues: fc.record(pathParamArbs), query: queryArb, body: bodyArb })
    .map(({ pathValues, query, body }) => {
      let path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const v = pathValues[name]!;
        return v.raw ? v.value : encodeComponent(v.value);
      });
      if (query.length) {
        path += '?' + query.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join('&');
      }
      const headers: Record<string, string> = { ...baseHeaders };
      if (body.text !== undefined) {
        if (body.contentType) headers['content-type'] = body.contentType;
        headers['content-length'] = String(Buffer.byteLength(body.text));
      }
      return { method: op.method, path, headers, ...(body.text !== undefined ? { body: body.text } : {}) };
    });
}

/** encodeURIComponent that accepts lone surrogates (replaced by U+FFFD, as a browser would send them). */
export function encodeComponent(value: string): string {
  return encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

function bodyArbitrary(
  document: OpenApiDocument,
  op: OperationInfo,
  seeds: unknown[],
): fc.Arbitrary<{ text?: string; contentType?: string }> {
  const schema = op.bodySchema ?? {};
  const ndjson = /ndjson|jsonl/i.test(op.bodyContentType ?? '');
  const itemSchema = ndjson ? (resolveRef(document, schema).items ?? schema) : schema;
  const valueArb = fc.oneof(
    {
      arbitrary: fc
        .tuple(arbitraryOf(document, itemSchema), mutationArb)
        .map(([value, mutation]) => applyMutation(value, mutation)),
      weight: 2,
    },
    { arbitrary: edgeArbitraryOf(document, itemSchema), weight: 1 },
    ...(seeds.length ? [{ arbitrary: seedMutationArbitrary(seeds), weight: 3 }] : []),
  );
  const wellFormed = ndjson
    ? fc
        .array(
          fc.oneof(
            { arbitrary: valueArb.map((v) => JSON.stringify(v)), weight: 5 },
            { arbitrary: invalidJsonText, weight: 1 },
          ),
          {
            minLength: 0,
            maxLength: 8,
          },
        )
        .map((lines) => lines.map((l) => l.replace(/\n/g, ' ')).join('\n'))
    : valueArb.map((v) => JSON.stringify(v) ?? 'null');
  return fc.oneof(
    { arbitrary: wellFormed.map((text) => ({ text, contentType: op.bodyContentType })), weight: 12 },
    { arbitrary: invalidJsonText.map((text) => ({ text, contentType: op.bodyContentType })), weight: 2 },
    {
      arbitrary: fc
        .tuple(
          wellFormed,
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=latin1',
            'multipart/form-data',
          ),
        )
        .map(([text, contentType]) => ({ text, contentType })),
      weight: 1,
    },
    { arbitrary: fc.constant({}), weight: 1 },
  );
}

// ---- runner ----------------------------------------------------------------------------------------------

export interface FuzzFailure {
  operation: string;
  reason: string;
  request: { method: string; path: string; headers: Record<string, string>; body?: string };
  status?: number;
  responseBody?: string;
}

export interface OperationReport {
  operation: string;
  runs: number;
  ms: number;
  statuses: Record<string, number>;
  codes: Record<string, number>;
  failures: number;
  /** Requests retried once on a fresh connection because a reused keep-alive socket was already closed. */
  staleSocketRetries: number;
  /** Refused requests sent a second time to check the status and code are stable. */
  replays: number;
}

export interface FuzzReport {
  seed: number;
  runs: number;
  ms: number;
  operations: OperationReport[];
  failures: FuzzFailure[];
  /** Failures matched by `knownDefect`, by label. */
  knownDefects: Record<string, number>;
}

export interface FuzzOptions {
  baseUrl: string;
  document: OpenApiDocument;
  /** Headers for every request (credentials, tenant). */
  headers?: Record<string, string>;
  runsPerOperation?: number;
  /** Limit to these operations (`METHOD /path` keys or operationIds), or a predicate. */
  only?: string[] | ((op: OperationInfo) => boolean);
  /** Per-operation overrides (by `METHOD /path` key): valid path parameter values, extra headers. */
  operations?: Record<string, FuzzOperationOptions>;
  /** Valid path parameter values shared by all operations. */
  pathParams?: Record<string, string>;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  seed?: number;
  /** Problem codes a 4xx may carry (default: docs/api/errors.md). */
  knownCodes?: Set<string>;
  /** Keep at most this many failure samples (default 20). */
  maxFailureSamples?: number;
  /** Per-request timeout (default 30 s); a timeout counts as a failure. */
  timeoutMs?: number;
  /**
   * Classifies a failure as a known, reported defect (returns its label) so it is counted in
   * `report.knownDefects` instead of `failures`. Each label must be pinned by its own test elsewhere.
   */
  knownDefect?: (failure: FuzzFailure) => string | undefined;
  /** Every n-th refused (4xx, not 429) request is sent again and must get the same status and code (default 10; 0 = never). */
  replayEvery?: number;
}

/** Operations worth fuzzing: those taking a body, path or query parameters (ops endpoints excluded). */
export function fuzzableOperations(document: OpenApiDocument): OperationInfo[] {
  return listOperations(document).filter(
    (op) =>
      !['/healthz', '/readyz', '/health/detailed', '/metrics'].includes(op.path) &&
      (op.bodyContentType !== undefined || op.parameters.some((p) => p.in === 'path' || p.in === 'query')),
  );
}

export async function fuzzOperations(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const runs = options.runsPerOperation ?? 10_000;
  const seed = options.seed ?? Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const knownCodes = options.knownCodes ?? loadErrorCatalogue();
  const concurrency = options.concurrency ?? 16;
  const maxSamples = options.maxFailureSamples ?? 20;
  const replayEvery = options.replayEvery ?? 10;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const base = new URL(options.baseUrl);
  const only = options.only;
  const ops = fuzzableOperations(options.document).filter((op) =>
    !only
      ? true
      : typeof only === 'function'
        ? only(op)
        : only.includes(op.key) || (op.operationId !== undefined && only.includes(op.operationId)),
  );
  const report: FuzzReport = { seed, runs: 0, ms: 0, operations: [], failures: [], knownDefects: {} };
  try {
    for (const [index, op] of ops.entries()) {
      const opStarted = Date.now();
      const perOp = options.operations?.[op.key] ?? {};
      const arb = requestArbitrary(
        options.document,
        op,
        { ...options.headers, ...perOp.headers },
        { ...options.pathParams, ...perOp.pathParams },
        perOp.seeds,
        perOp.query,
      );
      const opReport: OperationReport = {
        operation: op.key,
        runs: 0,
        ms: 0,
        statuses: {},
        codes: {},
        failures: 0,
        staleSocketRetries: 0,
        replays: 0,
      };
      let refused = 0;
      // Generated lazily in batches so huge samples never pile up in memory.
      const batchSize = 500;
      let batch: FuzzRequest[] = [];
      let produced = 0;
      const take = (): FuzzRequest | undefined => {
        if (!batch.length) {
          if (produced >= runs) return undefined;
          const n = Math.min(batchSize, runs - produced);
          batch = fc.sample(arb, { numRuns: n, seed: seed + index * 100_003 + produced });
          produced += n;
        }
        return batch.pop();
      };
      const worker = async () => {
        for (let sample = take(); sample; sample = take()) {
          const failure = await check(sample, op.key);
          opReport.runs++;
          const known = failure && options.knownDefect?.(failure);
          if (known) report.knownDefects[known] = (report.knownDefects[known] ?? 0) + 1;
          else if (failure) {
            opReport.failures++;
            if (report.failures.length < maxSamples) report.failures.push(failure);
          }
        }
      };
      const check = async (sample: FuzzRequest, key: string): Promise<FuzzFailure | undefined> => {
        const short = {
          ...sample,
          ...(sample.body && sample.body.length > 2000
            ? { body: `${sample.body.slice(0, 2000)}…(${sample.body.length} chars)` }
            : {}),
        };
        let res: { status: number; contentType: string; body: string };
        try {
          res = await send(agent, base, sample, options.timeoutMs ?? 30_000);
        } catch (error) {
          // A keep-alive socket the server closed after the previous response (e.g. it answered before
          // reading that request's body) is stale, not a reset of this request: retry once on a fresh
          // connection, as HTTP clients do. A failure there is a real one.
          if (!(error as { reusedSocket?: boolean }).reusedSocket) {
            return { operation: key, reason: `transport: ${(error as Error).message}`, request: short };
          }
          opReport.staleSocketRetries++;
          try {
            res = await send(false, base, sample, options.timeoutMs ?? 30_000);
          } catch (retryError) {
            return { operation: key, reason: `transport: ${(retryError as Error).message}`, request: short };
          }
        }
        opReport.statuses[res.status] = (opReport.statuses[res.status] ?? 0) + 1;
        const fail = (reason: string): FuzzFailure => ({
          operation: key,
          reason,
          request: short,
          status: res.status,
          responseBody: res.body.slice(0, 1000),
        });
        if (res.status >= 500) return fail(`server error ${res.status}`);
        if (res.status >= 400) {
          if (!/^application\/problem\+json\b/.test(res.contentType))
            return fail(`4xx with content-type ${res.contentType}`);
          let body: { code?: unknown; request_id?: unknown; status?: unknown };
          try {
            body = JSON.parse(res.body) as typeof body;
          } catch {
            return fail('4xx body is not JSON');
          }
          const code = String(body.code);
          opReport.codes[code] = (opReport.codes[code] ?? 0) + 1;
          if (!knownCodes.has(code)) return fail(`code ${code} is not in docs/api/errors.md`);
          if (typeof body.request_id !== 'string' || !body.request_id) return fail('4xx without request_id');
          if (body.status !== res.status)
            return fail(`problem status ${String(body.status)} differs from HTTP status`);
          if (res.status !== 429 && replayEvery > 0 && refused++ % replayEvery === 0) {
            opReport.replays++;
            let again: { status: number; body: string };
            try {
              again = await send(false, base, sample, options.timeoutMs ?? 30_000);
            } catch (error) {
              return fail(`transport on replay: ${(error as Error).message}`);
            }
            let againCode = '';
            try {
              againCode = String((JSON.parse(again.body) as { code?: unknown }).code);
            } catch {
              againCode = '(not JSON)';
            }
            if (again.status !== res.status || againCode !== code)
              return fail(
                `unstable: ${res.status} ${code}, then ${again.status} ${againCode} for the same request`,
              );
          }
        }
        return undefined;
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      opReport.ms = Date.now() - opStarted;
      report.operations.push(opReport);
      report.runs += opReport.runs;
    }
  } finally {
    agent.destroy();
  }
  report.ms = Date.now() - started;
  return report;
}

function send(
  agent: Agent | false,
  base: URL,
  req: FuzzRequest,
  timeoutMs: number,
): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers: req.headers,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    r.on('error', (error) => reject(Object.assign(error, { reusedSocket: r.reusedSocket })));
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

/** One line per operation plus failure samples; for test output and docs. */
export function formatFuzzReport(report: FuzzReport): string {
  const lines = [
    `fuzz: ${report.runs} requests in ${(report.ms / 1000).toFixed(1)} s (seed ${report.seed}); known defects ${JSON.stringify(report.knownDefects)}`,
  ];
  for (const op of report.operations) {
    const statuses = Object.entries(op.statuses)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    lines.push(
      `  ${op.operation}: ${op.runs} runs, ${(op.ms / 1000).toFixed(1)} s, failures ${op.failures}, stale-socket retries ${op.staleSocketRetries}, replays ${op.replays} [${statuses}] codes ${JSON.stringify(op.codes)}`,
    );
  }
  for (const f of report.failures.slice(0, 5)) {
    lines.push(
      `  FAIL ${f.operation}: ${f.reason} ← ${f.request.method} ${f.request.path.slice(0, 200)} ${String(f.request.body ?? '').slice(0, 300)}`,
    );
  }
  return lines.join('\n');
}

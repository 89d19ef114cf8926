/**
 * Generated event inputs for the validation equivalence tests: well-formed outcomes, assignments and
 * exposures with every optional field on or off, and the same with one field broken, removed, added or
 * spelled unusually. Deterministic (seeded).
 */

export type Kind = 'outcome' | 'assignment' | 'exposure';
export type Raw = Record<string, unknown>;

/** mulberry32: small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NOW = Date.parse('2026-11-23T12:00:00Z');

/** Timestamps zod and parseInstant see differently from the common form, valid and not. */
export const ODD_TIMES = [
  '2026-11-23T11:00:00Z',
  '2026-11-23T11:00:00.1Z',
  '2026-11-23T11:00:00.123456Z',
  '2026-11-23T11:00:00.1234567891Z',
  '2026-11-23T11:00:00.Z',
  '2026-11-23T11:00Z',
  '2026-11-23T11:00:00z',
  '2026-11-23t11:00:00Z',
  '2026-11-23 11:00:00Z',
  '2026-11-23T11:00:00+01:00',
  '2026-11-23T11:00:00-00:00',
  '2026-11-23T11:00:00+24:00',
  '2026-11-23T11:00:00',
  '2026-11-23',
  '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2000-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2023-04-31T00:00:00Z',
  '2023-12-31T23:59:60Z',
  '2023-13-01T00:00:00Z',
  '2023-00-10T00:00:00Z',
  '2023-01-00T00:00:00Z',
  '2023-01-01T24:00:00Z',
  '2023-01-01T23:60:00Z',
  '0999-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '+2023-01-01T00:00:00Z',
  '2023-1-01T00:00:00Z',
  '２０２３-01-01T00:00:00Z',
  '2026-11-23T12:05:00Z',
  '2026-11-23T12:05:00.000001Z',
  '2026-11-23T12:05:01Z',
  '2099-01-01T00:00:00Z',
  '2026-10-24T00:00:00Z',
  '2026-10-23T23:59:59.999999Z',
  '2010-12-01T08:26:00Z',
  ' 2026-11-23T11:00:00Z',
  '2026-11-23T11:00:00Z ',
  '',
  'yesterday',
];

/** Identifier-like values: fine, unusual but valid, and invalid. */
export const ODD_STRINGS: unknown[] = [
  'u1',
  'Ünïcødé',
  '用户-42',
  'emoji 😀 ok',
  '\ud83d',
  'lone \udc00 low',
  'nul\u0000byte',
  'tab\there',
  'line\nbreak',
  'back\\slash',
  'quote"d',
  '',
  ' ',
  '  padded  ',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(256),
  'x'.repeat(257),
  '.',
  '..',
  'a/b',
  'a\\b',
  '\u007f',
  '\u0085next',
  42,
  0,
  -1.5,
  true,
  null,
  ['a'],
  { a: 1 },
];

export const ODD_NUMBERS: unknown[] = [
  0,
  -0,
  1,
  2,
  1.5,
  -3,
  1e21,
  5e-324,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  2 ** 60,
  0.5,
  1.0000001,
  '1',
  '2.5',
  '',
  true,
  null,
  [1],
  {},
  NaN,
  Infinity,
];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const id = (r: () => number, prefix: string) => `${prefix}${Math.floor(r() * 100000)}`;

function time(r: () => number): string {
  // within the retention window and not in the future, in the common form, with 0–9 fraction digits
  const ms = NOW - Math.floor(r() * 29 * 86_400_000);
  const iso = new Date(ms).toISOString().slice(0, 19);
  const digits = Math.floor(r() * 10);
  const frac = digits
    ? '.' +
      String(Math.floor(r() * 1e9))
        .padStart(9, '0')
        .slice(0, digits)
    : '';
  return `${iso}${frac}Z`;
}

const maybe = (r: () => number, p = 0.5) => r() < p;

/** A well-formed input of `kind` (without `kind`); optional fields present at random. */
export function validInput(r: () => number, kind: Kind): Raw {
  const out: Raw = {};
  const put = (key: string, value: unknown, p = 0.5) => {
    if (maybe(r, p)) out[key] = value;
  };
  if (kind === 'outcome') {
    put('event_id', id(r, 'ev-'), 0.4);
    put('tenant_id', 'acme', 0.2);
    out.type = pick(r, ['view', 'click', 'add_to_cart', 'purchase', 'like', 'dismiss', 'wishlist']);
    out.item_id = id(r, 'SKU');
    put('user_id', id(r, ''));
    put('anonymous_id', id(r, 'anon-'), 0.3);
    put('session_id', id(r, 's'));
    put('request_id', id(r, 'req-'), 0.3);
    put('surface', pick(r, ['home', 'pdp', 'cart', 'search.results', 'a-b_c:1']));
    put('value', Math.round(r() * 10000) / 100);
    put('quantity', Math.floor(r() * 20));
    out.occurred_at = time(r);
  } else if (kind === 'assignment') {
    put('event_id', id(r, 'ev-'), 0.4);
    put('tenant_id', 'acme', 0.2);
    out.experiment_id = id(r, 'exp-');
    out.variant = pick(r, ['A', 'B', 'control', 'treatment-2']);
    put('user_id', id(r, ''));
    put('anonymous_id', id(r, 'anon-'), 0.3);
    put('session_id', id(r, 's'), 0.3);
    put('request_id', id(r, 'req-'), 0.3);
    out.occurred_at = time(r);
  } else {
    put('v', 1, 0.2);
    put('event_id', id(r, 'ev-'), 0.2);
    put('tenant_id', 'acme', 0.2);
    out.request_id = id(r, 'req-');
    put('surface', pick(r, ['home', 'pdp', 'cart']));
    put('segment', pick(r, ['default', 'vip', 'new-users']), 0.3);
    put('endpoint', pick(r, ['recommend', 'similar']), 0.4);
    put('user_id', id(r, ''));
    put('anonymous_id', id(r, 'anon-'), 0.3);
    put('session_id', id(r, 's'), 0.3);
    out.occurred_at = time(r);
    const n = Math.floor(r() * 5);
    out.items = Array.from({ length: n }, (_, i) => {
      const item: Raw = { item_id: id(r, 'SKU'), rank: i + 1, score: Math.round(r() * 1000) / 1000 };
      if (maybe(r, 0.3)) item.propensity = Math.round(r() * 100) / 100;
      if (maybe(r, 0.2)) return { score: item.score, item_id: item.item_id, rank: item.rank }; // other key order
      return item;
    });
    out.algo_version = pick(r, ['popularity-v1', 'covis-2026.11']);
    put('config_version', pick(r, ['c1', '']), 0.3);
    put('rules_version', 'r7', 0.3);
    put('signal_version', 'sig-3', 0.3);
    put('experiment', maybe(r) ? { id: 'exp-1', variant: 'B' } : { variant: 'A', id: 'exp-2' }, 0.3);
    if (maybe(r, 0.4)) {
      const ctx: Raw = {};
      // keys in an order other than the schema's, at times
      if (maybe(r)) ctx.country = 'GB';
      if (maybe(r)) ctx.device = pick(r, ['mobile', '']);
      if (maybe(r)) ctx.locale = 'en-GB';
      out.context = ctx;
    }
  }
  return out;
}

const FIELDS: Record<Kind, string[]> = {
  outcome: [
    'event_id',
    'tenant_id',
    'type',
    'item_id',
    'user_id',
    'anonymous_id',
    'session_id',
    'request_id',
    'surface',
    'value',
    'quantity',
    'occurred_at',
  ],
  assignment: [
    'event_id',
    'tenant_id',
    'experiment_id',
    'variant',
    'user_id',
    'anonymous_id',
    'session_id',
    'request_id',
    'occurred_at',
  ],
  exposure: [
    'v',
    'event_id',
    'tenant_id',
    'request_id',
    'surface',
    'segment',
    'endpoint',
    'user_id',
    'anonymous_id',
    'session_id',
    'occurred_at',
    'items',
    'algo_version',
    'config_version',
    'rules_version',
    'signal_version',
    'experiment',
    'context',
  ],
};

const ODD_ITEMS: unknown[] = [
  [],
  [{ item_id: 'a', rank: 1, score: 0.5 }],
  [{ item_id: 'a', rank: 0, score: 0.5 }],
  [{ item_id: 'a', rank: 1.5, score: 0.5 }],
  [{ item_id: 'a', rank: '1', score: 0.5 }],
  [{ item_id: 'a', rank: 1, score: '0.5' }],
  [{ item_id: 'a', rank: 1, score: 0.5, propensity: 1.1 }],
  [{ item_id: 'a', rank: 1, score: 0.5, propensity: -0.1 }],
  [{ item_id: 'a', rank: 1, score: 0.5, propensity: 0 }],
  [{ item_id: 'a', rank: 1, score: 0.5, propensity: 1 }],
  [{ item_id: 'a', rank: 1, score: 0.5, extra: true }],
  [{ item_id: '', rank: 1, score: 0.5 }],
  [{ rank: 1, score: 0.5 }],
  [{ item_id: 'a', score: 0.5 }],
  [{ item_id: 'a', rank: 2 ** 53, score: 0.5 }],
  [null],
  ['a'],
  [[]],
  { 0: { item_id: 'a', rank: 1, score: 0.5 } },
  Array.from({ length: 1000 }, (_, i) => ({ item_id: `i${i}`, rank: i + 1, score: 1 })),
  Array.from({ length: 1001 }, (_, i) => ({ item_id: `i${i}`, rank: i + 1, score: 1 })),
  'items',
  null,
];

const ODD_OBJECTS: unknown[] = [
  {},
  { id: 'e', variant: 'v' },
  { id: 'e' },
  { id: 'e', variant: 'v', extra: 1 },
  { id: '', variant: 'v' },
  { id: 1, variant: 'v' },
  { locale: 'en' },
  { locale: 'en', device: 'd', country: 'c' },
  { locale: 'en', extra: 'x' },
  { locale: 1 },
  { device: 'nul\u0000' },
  { country: '' },
  [],
  'ctx',
  null,
];

/** A value to put in `field` of a `kind` input that is not what the generator would put there. */
function oddValue(r: () => number, kind: Kind, field: string): unknown {
  if (field === 'occurred_at') return pick(r, ODD_TIMES);
  if (field === 'value' || field === 'quantity') return pick(r, ODD_NUMBERS);
  if (kind === 'exposure') {
    if (field === 'items') return pick(r, ODD_ITEMS);
    if (field === 'experiment' || field === 'context') return pick(r, ODD_OBJECTS);
    if (field === 'v') return pick(r, [1, 2, '1', 0, null]);
    if (field === 'endpoint') return pick(r, ['recommend', 'similar', 'Similar', '', 1]);
  }
  return pick(r, ODD_STRINGS);
}

/**
 * `count` inputs of `kind` (without `kind`): about a third well-formed, the rest with one to three
 * mutations each (a field set to an odd value, removed, or an unknown field added).
 */
export function cases(seed: number, kind: Kind, count: number): Raw[] {
  const r = rng(seed);
  const out: Raw[] = [];
  for (let i = 0; i < count; i++) {
    const input = validInput(r, kind);
    if (i % 3 !== 0) {
      const mutations = 1 + Math.floor(r() * 3);
      for (let m = 0; m < mutations; m++) {
        const what = r();
        const field = pick(r, FIELDS[kind]);
        if (what < 0.7) input[field] = oddValue(r, kind, field);
        else if (what < 0.85) delete input[field];
        else {
          // an own, enumerable key whatever its name (`__proto__` included, as JSON.parse makes it)
          Object.defineProperty(
            input,
            pick(r, ['extra', 'kind', 'Type', 'item', '__proto__', 'constructor', 'occurredAt']),
            { value: pick(r, ['x', 1, null]), enumerable: true, writable: true, configurable: true },
          );
        }
      }
    }
    out.push(input);
  }
  return out;
}

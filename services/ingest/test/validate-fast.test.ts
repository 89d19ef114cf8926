/**
 * The hand-written check of well-formed inputs (fastEvent) against the schema path: for every generated
 * input, valid or not, validateEvent / validateLine give exactly what the schema path gives (same
 * acceptance, same rejection code, reason and field errors, same normalised row, event and key order).
 */
import { eventInputSchemas } from '@recsys/contracts-ingest';
import { Timestamp } from '@recsys/contract-kit';
import { fastEvent, fastExposureInput } from '../src/domain/fast-validate.js';
import { deriveEventId, deriveFlatEventId, sortedKeys } from '../src/domain/identity.js';
import type { NormalizeContext } from '../src/domain/normalize.js';
import { parseCanonicalUtc, parseInstant } from '../src/domain/time.js';
import { schemaEvent, schemaLine, validateEvent, validateLine } from '../src/domain/validate.js';
import { cases, NOW, ODD_STRINGS, ODD_TIMES, rng, validInput, type Kind, type Raw } from './line-cases.js';

const KINDS: Kind[] = ['outcome', 'assignment', 'exposure'];
const CONTEXTS: Record<string, NormalizeContext> = {
  plain: { tenantId: 'acme', salt: undefined, nowMs: NOW, maxFutureSkewMs: 300_000, retentionDays: 30 },
  salted: { tenantId: 'acme', salt: 'pepper', nowMs: NOW, maxFutureSkewMs: 300_000, retentionDays: 30 },
  'no retention': { tenantId: 'acme', salt: undefined, nowMs: NOW, maxFutureSkewMs: 0, retentionDays: 0 },
};

/** Equal values and the same JSON text (so the same key order, which the stored and published JSON keeps). */
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

const roundTrip = (raw: Raw): Raw => JSON.parse(JSON.stringify(raw)) as Raw;
const line = (kind: unknown, raw: Raw): Raw => ({ kind, ...raw });

describe('parseCanonicalUtc', () => {
  const r = rng(7);
  const texts = [...ODD_TIMES];
  for (let i = 0; i < 3000; i++) {
    const ms = Math.floor(r() * 4102444800000); // 1970 … 2100
    const iso = new Date(ms).toISOString();
    const digits = Math.floor(r() * 11);
    const base = iso.slice(0, 19) + (digits ? '.' + '123456789012'.slice(0, digits) : '') + 'Z';
    texts.push(base);
    // one character replaced by another of the alphabet timestamps are made of
    const at = Math.floor(r() * base.length);
    texts.push(base.slice(0, at) + '0123456789-:.TZtz +'[Math.floor(r() * 19)] + base.slice(at + 1));
  }

  it('when it parses a text, then parseInstant gives the same and the contracts accept it as a Timestamp', () => {
    let parsed = 0;
    for (const text of texts) {
      const fast = parseCanonicalUtc(text);
      if (!fast) continue;
      parsed++;
      expect({ text, instant: parseInstant(text) }).toEqual({ text, instant: fast });
      expect({ text, valid: Timestamp.safeParse(text).success }).toEqual({ text, valid: true });
    }
    expect(parsed).toBeGreaterThan(3000);
  });

  it('when a text is in the common form, then it is parsed; other spellings are left to parseInstant', () => {
    expect(parseCanonicalUtc('2010-12-01T08:26:00Z')).toEqual(parseInstant('2010-12-01T08:26:00Z'));
    expect(parseCanonicalUtc('2024-02-29T23:59:59.9999999Z')!.iso).toBe('2024-02-29T23:59:59.999999Z');
    for (const text of [
      '2010-12-01T08:26:00z',
      '2010-12-01 08:26:00Z',
      '2010-12-01T08:26:00+00:00',
      '2010-12-01T08:26:00.Z',
      '2023-02-29T00:00:00Z',
      '2023-12-31T23:59:60Z',
      '0999-01-01T00:00:00Z',
    ]) {
      expect({ text, fast: parseCanonicalUtc(text) }).toEqual({ text, fast: undefined });
    }
  });
});

describe.each(Object.entries(CONTEXTS))('fast validation, context %s', (_name, ctx) => {
  describe.each(KINDS)('%s', (kind) => {
    const generated = cases(kind.length * 1000 + 17, kind, 3000);

    it('when an input is valid or not, then validateEvent gives what the schema gives', () => {
      for (const raw of generated) {
        for (const input of [raw, roundTrip(raw)]) {
          expectSame(
            { input, result: validateEvent(kind, input, ctx) },
            { input, result: schemaEvent(kind, input, ctx) },
          );
        }
      }
    });

    it('when a bulk line is valid or not, then validateLine gives what the schema gives', () => {
      for (const raw of generated) {
        for (const input of [line(kind, raw), roundTrip(line(kind, raw))]) {
          expectSame({ input, result: validateLine(input, ctx) }, { input, result: schemaLine(input, ctx) });
        }
      }
    });

    it('when an input is well-formed, then the fast path handles it (and the schema accepts it)', () => {
      const r = rng(kind.length);
      for (let i = 0; i < 500; i++) {
        const input = roundTrip(validInput(r, kind));
        const fast = fastEvent(kind, input, ctx, false);
        expect({ input, handled: fast !== undefined }).toEqual({ input, handled: true });
        expect(eventInputSchemas[kind].safeParse(input).success).toBe(true);
        expectSame(fast, schemaEvent(kind, input, ctx));
      }
    });
  });
});

describe('fast validation of exposures', () => {
  it('when an exposure is well-formed, then its input is exactly the schema output (defaults, key order)', () => {
    const r = rng(99);
    let handled = 0;
    for (const raw of [
      ...cases(5, 'exposure', 2000),
      ...Array.from({ length: 300 }, () => validInput(r, 'exposure')),
    ]) {
      const input = roundTrip(raw);
      const fast = fastExposureInput(input, false);
      if (!fast) continue;
      handled++;
      const parsed = eventInputSchemas.exposure.safeParse(input);
      expect(parsed.success).toBe(true);
      expectSame(fast.input, parsed.data);
      expect(fast.instant).toEqual(parseInstant(input.occurred_at as string));
    }
    expect(handled).toBeGreaterThan(500);
  });
});

describe('fast validation, listed edge cases', () => {
  const ctx = CONTEXTS.plain!;
  const outcome = {
    type: 'purchase',
    item_id: 'SKU1',
    user_id: '12345',
    session_id: '536365',
    surface: 'home',
    value: 15.3,
    quantity: 6,
    occurred_at: '2026-11-23T11:00:00Z',
  };
  const assignment = {
    experiment_id: 'exp',
    variant: 'A',
    user_id: 'u1',
    occurred_at: '2026-11-23T11:00:00Z',
  };
  const exposure = {
    request_id: 'r1',
    occurred_at: '2026-11-23T11:00:00Z',
    items: [{ item_id: 'a', rank: 1, score: 0.5 }],
    algo_version: 'v1',
  };
  const variants: [string, Kind, Raw][] = [
    ['well-formed outcome', 'outcome', outcome],
    ['outcome without item_id', 'outcome', { ...outcome, item_id: undefined }],
    ['outcome without type', 'outcome', { ...outcome, type: undefined }],
    ['outcome without occurred_at', 'outcome', { ...outcome, occurred_at: undefined }],
    ['outcome with an empty item_id', 'outcome', { ...outcome, item_id: '' }],
    ['outcome with a numeric item_id', 'outcome', { ...outcome, item_id: 7 }],
    ['outcome with a numeric user_id', 'outcome', { ...outcome, user_id: 12345 }],
    ['outcome with value as a string', 'outcome', { ...outcome, value: '15.3' }],
    ['outcome with quantity as a string', 'outcome', { ...outcome, quantity: '6' }],
    ['outcome with value null', 'outcome', { ...outcome, value: null }],
    ['outcome with an extra field', 'outcome', { ...outcome, price: 2.55 }],
    ['outcome in the future', 'outcome', { ...outcome, occurred_at: '2026-11-23T12:05:01Z' }],
    ['outcome at the skew limit', 'outcome', { ...outcome, occurred_at: '2026-11-23T12:05:00Z' }],
    ['outcome before the retention window', 'outcome', { ...outcome, occurred_at: '2026-10-23T23:59:59Z' }],
    ['outcome with an offset', 'outcome', { ...outcome, occurred_at: '2026-11-23T12:00:00+01:00' }],
    ['outcome of another tenant', 'outcome', { ...outcome, tenant_id: 'other' }],
    ['outcome of the same tenant', 'outcome', { ...outcome, tenant_id: 'acme' }],
    ['outcome with unicode ids', 'outcome', { ...outcome, item_id: 'Ünïcødé-用户', user_id: 'ß' }],
    ['outcome with an emoji id', 'outcome', { ...outcome, item_id: 'item 😀' }],
    ['outcome with a lone surrogate', 'outcome', { ...outcome, item_id: 'x\ud800' }],
    ['outcome with NUL', 'outcome', { ...outcome, user_id: 'a\u0000b' }],
    ['outcome with a padded surface', 'outcome', { ...outcome, surface: ' home ' }],
    ['outcome with a padded user id', 'outcome', { ...outcome, user_id: ' 12345 ' }],
    ['outcome with a blank user id', 'outcome', { ...outcome, user_id: '   ' }],
    ['outcome with a tab in the item id', 'outcome', { ...outcome, item_id: 'a\tb' }],
    ['outcome with a 65-character type', 'outcome', { ...outcome, type: 't'.repeat(65) }],
    ['outcome with a 257-character id', 'outcome', { ...outcome, item_id: 'i'.repeat(257) }],
    ['outcome with a surface "."', 'outcome', { ...outcome, surface: '.' }],
    ['outcome with a surface a/b', 'outcome', { ...outcome, surface: 'a/b' }],
    ['well-formed assignment', 'assignment', assignment],
    ['assignment without variant', 'assignment', { ...assignment, variant: undefined }],
    ['assignment with a numeric variant', 'assignment', { ...assignment, variant: 2 }],
    ['assignment with an extra field', 'assignment', { ...assignment, type: 'click' }],
    ['well-formed exposure', 'exposure', exposure],
    ['exposure without request_id', 'exposure', { ...exposure, request_id: undefined }],
    ['exposure without items', 'exposure', { ...exposure, items: undefined }],
    [
      'exposure with rank as a string',
      'exposure',
      { ...exposure, items: [{ item_id: 'a', rank: '1', score: 0.5 }] },
    ],
    ['exposure with rank 0', 'exposure', { ...exposure, items: [{ item_id: 'a', rank: 0, score: 0.5 }] }],
    ['exposure with v 2', 'exposure', { ...exposure, v: 2 }],
    ['exposure with an unknown endpoint', 'exposure', { ...exposure, endpoint: 'search' }],
    ['exposure with an extra context key', 'exposure', { ...exposure, context: { locale: 'en', os: 'x' } }],
    ['exposure with an empty context', 'exposure', { ...exposure, context: {} }],
    [
      'exposure with context keys reordered',
      'exposure',
      { ...exposure, context: { country: 'GB', locale: 'en' } },
    ],
  ];

  it.each(variants)('%s: validateEvent and validateLine give what the schema gives', (_name, kind, input) => {
    const raw = roundTrip(input);
    expectSame(validateEvent(kind, raw, ctx), schemaEvent(kind, raw, ctx));
    expectSame(validateLine(line(kind, raw), ctx), schemaLine(line(kind, raw), ctx));
    expectSame(validateEvent(kind, raw, CONTEXTS.salted!), schemaEvent(kind, raw, CONTEXTS.salted!));
  });

  it('when a line has an odd kind or the input carries kind, then the schema path decides', () => {
    for (const kind of ['Outcome', 'catalog', '', 1, null, undefined]) {
      const raw = roundTrip(line(kind, outcome));
      expectSame(validateLine(raw, ctx), schemaLine(raw, ctx));
    }
    const withKind = line('outcome', outcome);
    expect(fastEvent('outcome', withKind, ctx, false)).toBeUndefined();
    expectSame(validateEvent('outcome', withKind, ctx), schemaEvent('outcome', withKind, ctx));
    expect(validateEvent('outcome', withKind, ctx)).toMatchObject({
      ok: false,
      code: 'RECSYS_EVENT_INVALID',
    });
  });

  it('when odd strings go into any field, then the results are the schema’s', () => {
    for (const kind of KINDS) {
      const base = kind === 'outcome' ? outcome : kind === 'assignment' ? assignment : exposure;
      for (const field of Object.keys(base)) {
        for (const value of ODD_STRINGS) {
          const raw = roundTrip({ ...base, [field]: value });
          expectSame(validateEvent(kind, raw, ctx), schemaEvent(kind, raw, ctx));
        }
      }
    }
  });
});

describe('derived event ids', () => {
  it('when a flat record is hashed with its sorted keys, then the id is deriveEventId’s', () => {
    const keys = ['tenant_id', 'occurred_at', 'type', 'item_id', 'user_id', 'value', 'quantity', 'ß', 'Z'];
    const sorted = sortedKeys(keys);
    const r = rng(3);
    for (let i = 0; i < 500; i++) {
      const record: Record<string, unknown> = {};
      for (const key of keys) {
        const x = r();
        if (x < 0.3) continue;
        record[key] =
          x < 0.6 ? `v${Math.floor(r() * 1000)}` : x < 0.8 ? r() * 100 : x < 0.9 ? 'é"\\\n😀' : -0;
      }
      expect(deriveFlatEventId('outcome', sorted, record)).toBe(deriveEventId('outcome', record));
    }
  });

  it('when an outcome or assignment comes without an event id, then the id is the one earlier versions derived', () => {
    // Computed by the previous implementation (sha256 of kind, line break and the canonical JSON): a
    // re-sent event must keep its id to be recognised as a duplicate of what is stored.
    const ctx = CONTEXTS.plain!;
    const outcome = validateEvent(
      'outcome',
      {
        type: 'click',
        item_id: 'i1',
        user_id: ' u1 ',
        surface: 'home',
        value: 2.5,
        occurred_at: '2026-11-23T11:00:00+01:00',
      },
      ctx,
    );
    const assignment = validateEvent(
      'assignment',
      { experiment_id: 'e', variant: 'A', session_id: 's1', occurred_at: '2026-11-23T11:00:00.5Z' },
      ctx,
    );
    const salted = validateEvent(
      'outcome',
      { type: 'purchase', item_id: 'Ünï', user_id: 'u1', quantity: 3, occurred_at: '2026-11-23T11:00:00Z' },
      CONTEXTS.salted!,
    );
    expect([outcome, assignment, salted].map((r) => (r.ok ? r.eventId : r.code))).toEqual(GOLDEN_IDS);
  });
});

const GOLDEN_IDS = [
  'd70e31e2cdf1e0b4cfaf226fd7d64abc4beb4ba1e739c1d2470529809d9729e6',
  'aa2dbf526b31b8508492748ca5183d242a6db285b25e89d206ae421883d1ddfd',
  '0ce61bc59a109245cdb92805dbe009e9ed30cf8589a7a0a7b677c84aea7676f9',
];

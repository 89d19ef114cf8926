import { createHmac } from 'node:crypto';
import type { IngestEvent } from '@recsys/contracts-ingest';
import { encodeEvents, packedEntries } from '../db/outbox.repository.js';
import { decodeCursor, encodeCursor } from './export.js';
import { canonicalJson, deriveEventId, hashIdentifier } from './identity.js';
import type { NormalizeContext } from './normalize.js';
import { parseInstant } from './time.js';
import { validateEvent, validateLine } from './validate.js';

const ctx = (over: Partial<NormalizeContext> = {}): NormalizeContext => ({
  tenantId: 'acme',
  salt: undefined,
  nowMs: Date.parse('2026-11-23T12:00:00Z'),
  maxFutureSkewMs: 300_000,
  retentionDays: 30,
  ...over,
});

describe('parseInstant', () => {
  it('when given offsets and any precision, then it yields UTC with microseconds and the UTC day', () => {
    expect(parseInstant('2026-11-23T01:30:00+02:00')).toEqual({
      iso: '2026-11-22T23:30:00.000000Z',
      day: '2026-11-22',
      ms: Date.parse('2026-11-22T23:30:00Z'),
    });
    expect(parseInstant('2026-11-23T10:00:00.123456789Z')!.iso).toBe('2026-11-23T10:00:00.123456Z');
    expect(parseInstant('2026-11-23T10:00:00.1Z')!.iso).toBe('2026-11-23T10:00:00.100000Z');
    expect(parseInstant('yesterday')).toBeUndefined();
  });

  it('when UTC fields are out of range, then they are normalised as Date does, whatever the spelling of UTC', () => {
    const iso = (v: string) => parseInstant(v)?.iso;
    expect(iso('2010-12-01 08:26:00z')).toBe('2010-12-01T08:26:00.000000Z');
    expect(iso('2010-12-01T08:26:00-00:00')).toBe('2010-12-01T08:26:00.000000Z');
    expect(iso('2024-02-29T23:59:59.999999Z')).toBe('2024-02-29T23:59:59.999999Z');
    expect(iso('2023-02-29T00:00:00Z')).toBe('2023-03-01T00:00:00.000000Z');
    expect(iso('2023-04-31T00:00:00Z')).toBe('2023-05-01T00:00:00.000000Z');
    expect(iso('2023-12-31T23:59:60Z')).toBe('2024-01-01T00:00:00.000000Z');
    expect(iso('2023-13-01T00:00:00Z')).toBe('2024-01-01T00:00:00.000000Z');
    expect(iso('2023-01-01T24:00:00Z')).toBe('2023-01-02T00:00:00.000000Z');
    expect(parseInstant('2023-01-01T24:00:00Z')!.day).toBe('2023-01-02');
  });
});

describe('outbox rows', () => {
  const events = [
    { kind: 'outcome', event_id: 'e1', tenant_id: 't', type: 'click', item_id: 'a\tb\nc', occurred_at: 'x' },
    {
      kind: 'assignment',
      event_id: 'e2',
      tenant_id: 't',
      experiment_id: 'x',
      variant: 'A',
      occurred_at: 'x',
    },
  ] as IngestEvent[];

  it('when events are encoded, then each is one line of kind, tab and its JSON, and rows in the old JSON array form read the same', () => {
    const text = encodeEvents(events);
    expect(text.split('\n')).toEqual(events.map((e) => `${e.kind}\t${JSON.stringify(e)}`));
    expect(packedEntries(text)).toBe(text);
    expect(packedEntries(JSON.stringify(events))).toBe(text);
  });
});

describe('identity', () => {
  it('when a salt is set, then ids are HMAC-SHA256 hex of the trimmed value; empty ids are dropped', () => {
    expect(hashIdentifier('s', ' u1 ')).toBe(createHmac('sha256', 's').update('u1').digest('hex'));
    expect(hashIdentifier('s', '  ')).toBeUndefined();
    expect(hashIdentifier(undefined, ' u1 ')).toBe('u1');
  });

  it('when key order differs, then the canonical form and the derived id are the same', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(deriveEventId('outcome', { a: 1, b: 2 })).toBe(deriveEventId('outcome', { b: 2, a: 1 }));
    expect(deriveEventId('outcome', { a: 1 })).not.toBe(deriveEventId('assignment', { a: 1 }));
  });
});

describe('validateEvent', () => {
  const outcome = { type: 'click', item_id: 'i1', user_id: 'u1', occurred_at: '2026-11-23T11:00:00Z' };

  it('when the same outcome is given with another offset, then the derived event id is the same', () => {
    const a = validateEvent('outcome', outcome, ctx());
    const b = validateEvent('outcome', { ...outcome, occurred_at: '2026-11-23T12:00:00+01:00' }, ctx());
    expect(a.ok && b.ok && a.eventId === b.eventId).toBe(true);
  });

  it('when the salt is set, then stored ids are hashed but the published event keeps raw ids', () => {
    const r = validateEvent('outcome', outcome, ctx({ salt: 'pepper' }));
    if (!r.ok || r.kind !== 'outcome') throw new Error('expected an outcome');
    expect(r.row.user_id).toBe(createHmac('sha256', 'pepper').update('u1').digest('hex'));
    expect(r.event.user_id).toBe('u1');
    expect(r.event).toEqual({
      kind: 'outcome',
      event_id: r.eventId,
      tenant_id: 'acme',
      type: 'click',
      item_id: 'i1',
      user_id: 'u1',
      occurred_at: '2026-11-23T11:00:00.000000Z',
    });
  });

  it('when occurred_at is just inside or outside the skew and retention bounds, then it is accepted or rejected', () => {
    expect(validateEvent('outcome', { ...outcome, occurred_at: '2026-11-23T12:05:00Z' }, ctx()).ok).toBe(
      true,
    );
    expect(
      validateEvent('outcome', { ...outcome, occurred_at: '2026-11-23T12:05:01Z' }, ctx()),
    ).toMatchObject({
      code: 'RECSYS_EVENT_IN_FUTURE',
    });
    expect(validateEvent('outcome', { ...outcome, occurred_at: '2026-10-24T00:00:00Z' }, ctx()).ok).toBe(
      true,
    );
    expect(
      validateEvent('outcome', { ...outcome, occurred_at: '2026-10-23T23:59:59Z' }, ctx()),
    ).toMatchObject({
      code: 'RECSYS_EVENT_TOO_OLD',
    });
    expect(
      validateEvent('outcome', { ...outcome, occurred_at: '2000-01-01T00:00:00Z' }, ctx({ retentionDays: 0 }))
        .ok,
    ).toBe(true);
  });

  it('when an exposure has no event id, then it is request_id:endpoint', () => {
    const r = validateEvent(
      'exposure',
      {
        request_id: 'r1',
        endpoint: 'similar',
        occurred_at: '2026-11-23T11:00:00Z',
        items: [],
        algo_version: 'v',
      },
      ctx(),
    );
    expect(r).toMatchObject({ ok: true, eventId: 'r1:similar' });
  });

  it('when a bulk line has no kind, then it is rejected naming the allowed kinds', () => {
    expect(validateLine({ ...outcome }, ctx())).toMatchObject({
      ok: false,
      code: 'RECSYS_LINE_UNKNOWN_KIND',
    });
    expect(validateLine([1], ctx())).toMatchObject({ ok: false, code: 'RECSYS_LINE_MALFORMED' });
    expect(
      validateLine(
        { kind: 'assignment', experiment_id: 'e', variant: 'A', occurred_at: outcome.occurred_at },
        ctx(),
      ).ok,
    ).toBe(true);
  });
});

describe('export cursor', () => {
  it('when encoded and decoded, then the position round-trips; garbage is refused', () => {
    const position = { at: '2026-11-23T11:00:00.000001Z', id: 'e:1', kind: 'outcome' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(() => decodeCursor('garbage')).toThrow(/cursor/);
  });
});

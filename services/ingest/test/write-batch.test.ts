/**
 * What a WriteBatch hands to Postgres — the COPY text of each table and the outbox text — is the same as
 * copyLine and encodeEvent of its rows and events, joined by line breaks, whatever the text holds.
 */
import type { AssignmentEvent, OutcomeEvent } from '@recsys/contracts-ingest';
import { copyLine, type EventTable } from '../src/db/events.repository.js';
import { encodeAssignment, encodeEvent, encodeOutcome } from '../src/db/outbox.repository.js';
import type { NormalizeContext, NormalizedEvent } from '../src/domain/normalize.js';
import { Lines, WriteBatch } from '../src/domain/store.js';
import { validateLine } from '../src/domain/validate.js';
import { cases, NOW, ODD_STRINGS, rng, type Kind } from './line-cases.js';

const ctx: NormalizeContext = {
  tenantId: 'acme',
  salt: undefined,
  nowMs: NOW,
  maxFutureSkewMs: 300_000,
  retentionDays: 30,
};
const TABLE = { exposure: 'exposures', outcome: 'outcomes', assignment: 'assignments' } as const;

/** Accepted events of every kind, from the generated inputs (valid ones and odd but valid ones). */
function events(): NormalizedEvent[] {
  const out: NormalizedEvent[] = [];
  for (const kind of ['outcome', 'assignment', 'exposure'] as Kind[]) {
    for (const raw of cases(kind.length * 7, kind, 3000)) {
      const result = validateLine({ kind, ...raw }, ctx);
      if (result.ok) out.push(result);
    }
  }
  return out;
}

describe('WriteBatch', () => {
  it('when events are added, then the COPY text and the outbox text are their lines, in order', () => {
    const all = events();
    expect(all.length).toBeGreaterThan(2000);
    const batch = new WriteBatch('bulk');
    const copy = new Map<EventTable, string[]>();
    const outbox: string[] = [];
    const seen = new Set<string>();
    for (const item of all) {
      batch.add(item);
      const key = `${item.kind}\u0000${item.eventId}\u0000${item.day}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const table = TABLE[item.kind];
      const row = item.kind === 'exposure' ? { ...item.row, source: 'bulk' } : item.row;
      copy.set(table, [...(copy.get(table) ?? []), copyLine(table, row as never)]);
      if (item.kind !== 'exposure') outbox.push(encodeEvent(item.event));
    }
    for (const [table, lines] of copy) {
      expect(
        batch.parts
          .get(table)!
          .copy.toBuffer()
          .equals(Buffer.from(lines.join('\n') + '\n')),
      ).toBe(true);
    }
    expect(batch.outbox.toBuffer().toString('utf8')).toBe(outbox.join('\n') + '\n');
  });

  it('when an outcome or assignment is encoded field by field, then the text is encodeEvent’s', () => {
    const r = rng(11);
    const text = () => {
      const s = ODD_STRINGS.filter((v): v is string => typeof v === 'string');
      return r() < 0.5
        ? `v${Math.floor(r() * 1000)}`
        : r() < 0.5
          ? s[Math.floor(r() * s.length)]!
          : '\u2028 "q" \\';
    };
    for (let i = 0; i < 2000; i++) {
      const maybe = <T>(v: T) => (r() < 0.5 ? v : undefined);
      const outcome = {
        kind: 'outcome',
        event_id: text(),
        tenant_id: text(),
        type: text(),
        item_id: text(),
        user_id: maybe(text()),
        anonymous_id: maybe(text()),
        session_id: maybe(text()),
        request_id: maybe(text()),
        surface: maybe(text()),
        value: maybe(r() < 0.1 ? -0 : r() * 1e6 - 5e5),
        quantity: maybe(Math.floor(r() * 10)),
        occurred_at: text(),
      } as OutcomeEvent;
      const assignment = {
        kind: 'assignment',
        event_id: text(),
        tenant_id: text(),
        experiment_id: text(),
        variant: text(),
        user_id: maybe(text()),
        anonymous_id: maybe(text()),
        session_id: maybe(text()),
        request_id: maybe(text()),
        occurred_at: text(),
      } as AssignmentEvent;
      expect(encodeOutcome(outcome)).toBe(encodeEvent(outcome));
      expect(encodeAssignment(assignment)).toBe(encodeEvent(assignment));
    }
  });
});

describe('Lines', () => {
  it('when lines of any size and script are pushed, then the buffer is their UTF-8 text with line breaks', () => {
    const r = rng(5);
    const pieces = ['a', 'é', '中', '😀', '\t', '\\', 'x'.repeat(100)];
    const texts: string[] = [];
    const lines = new Lines();
    for (let i = 0; i < 5000; i++) {
      const n = i === 100 ? 400_000 : i === 101 ? 2_000_000 : Math.floor(r() * 300);
      let t = '';
      for (let k = 0; k < n;) {
        const piece = pieces[Math.floor(r() * pieces.length)]!;
        t += piece;
        k += piece.length;
      }
      texts.push(t);
      lines.push(t);
    }
    expect(lines.toBuffer().equals(Buffer.from(texts.join('\n') + '\n'))).toBe(true);
    // toBuffer again (a retried write) gives the same
    expect(lines.toBuffer().equals(Buffer.from(texts.join('\n') + '\n'))).toBe(true);
  });
});

describe('WriteBatch repeats', () => {
  /** An outcome of `tenant` with event id `id` on `day`, as validation returns it. */
  function outcome(tenant: string, id: string, day: string): NormalizedEvent {
    const at = Date.parse(`${day}T12:00:00Z`);
    const result = validateLine(
      { kind: 'outcome', event_id: id, type: 'click', item_id: 'a', occurred_at: new Date(at).toISOString() },
      { ...ctx, tenantId: tenant, nowMs: at + 60_000 },
    );
    if (!result.ok) throw new Error(result.reason);
    return result;
  }

  it('when the same event id comes again on the same tenant and day, even after other days, then only that one is a repeat', () => {
    const batch = new WriteBatch('bulk');
    const added = [
      outcome('acme', 'e1', '2026-11-01'),
      outcome('acme', 'e1', '2026-11-02'), // another day: another event
      outcome('acme', 'e2', '2026-11-01'),
      outcome('acme', 'e1', '2026-11-01'), // repeat of the first, after a row of another day
      outcome('beta', 'e1', '2026-11-01'), // another tenant: another event
      outcome('acme', 'e2', '2026-11-01'), // repeat of the third
    ];
    for (const item of added) batch.add(item);
    expect([...batch.early].map(([index, result]) => [index, result.status])).toEqual([
      [3, 'duplicate'],
      [5, 'duplicate'],
    ]);
    const part = batch.parts.get('outcomes')!;
    expect(part.eventIds).toEqual(['e1', 'e1', 'e2', 'e1']);
    expect([...part.days].sort()).toEqual(['2026-11-01', '2026-11-02']);
  });
});

import { Artifact } from '@recsys/contracts-publisher';
import { DAY_MS, LimitError, type InputRecord } from '../events.js';
import {
  Accumulator,
  DEFAULT_TYPE_WEIGHTS,
  RowCounters,
  TABLE_OVERHEAD_BYTES,
  type AccumulateParams,
} from './accumulate.js';
import {
  buildCatalog,
  buildContentSim,
  buildCooc,
  buildEase,
  buildImplicit,
  buildPopularity,
  buildSessionSeq,
  topPositive,
} from './builders.js';
import { artifactChecksum, type EnvelopeBase } from './envelope.js';

const T0 = Date.parse('2026-01-10T00:00:00Z');
const HOUR = 3_600_000;

const params: AccumulateParams = {
  asOf: T0,
  window: { start: T0 - 30 * DAY_MS, end: T0 },
  halfLifeMs: 7 * DAY_MS,
  typeWeights: DEFAULT_TYPE_WEIGHTS,
  sessionGapMs: HOUR,
  maxItemsPerSession: 50,
  userWindowMs: 0,
  userWindowItems: 0,
  userWindowWeight: 0,
  maxItems: 1000,
  maxUsers: 1000,
  maxPairs: 1_000_000,
};

const base: EnvelopeBase = {
  tenant: 'acme',
  surface: 'home',
  segment: 'default',
  window: { start: new Date(T0 - 30 * DAY_MS).toISOString(), end: new Date(T0).toISOString() },
  builtAt: new Date(T0).toISOString(),
  publisherVersion: 'test',
  sourceHash: 'x',
};

function purchase(item: string, user: string, session: string, at: number): InputRecord {
  return { kind: 'event', event: { type: 'purchase', itemId: item, userId: user, sessionId: session, at } };
}

function accumulate(records: InputRecord[], overrides: Partial<AccumulateParams> = {}) {
  const acc = new Accumulator({ ...params, ...overrides });
  for (const r of records) acc.add(r);
  return acc.finish();
}

describe('popularity', () => {
  it('when events are one and two half-lives old, then they count 1/2 and 1/4; counts stay raw integers', () => {
    const acc = accumulate([
      purchase('old', 'u1', 's1', T0 - 7 * DAY_MS),
      purchase('old', 'u2', 's2', T0 - 7 * DAY_MS),
      purchase('older', 'u3', 's3', T0 - 14 * DAY_MS),
    ]);
    const pop = buildPopularity(acc, base, { halfLifeMs: 7 * DAY_MS, maxItems: 10 });
    expect(pop.items).toEqual([
      { item_id: 'old', score: 1, count: 2 },
      { item_id: 'older', score: 0.25, count: 1 },
    ]);
    expect(pop.build.params).toEqual({ half_life_days: 7, max_items: 10 });
    expect(pop.checksum).toBe(artifactChecksum(pop));
    expect(Artifact.parse(pop).artifact_type).toBe('popularity');
  });

  it('when events fall outside the window or have ignored types, then they are not counted', () => {
    const acc = accumulate([
      purchase('a', 'u1', 's1', T0 + 1),
      { kind: 'event', event: { type: 'dismiss', itemId: 'a', userId: 'u1', at: T0 - HOUR } },
      purchase('b', 'u1', 's1', T0 - HOUR),
    ]);
    expect(acc.itemIds).toEqual(['b']);
    expect(acc.stats).toMatchObject({ events: 1, eventsOutsideWindow: 1, eventsIgnored: 1 });
  });
});

describe('co-visitation', () => {
  it('when a, b share two baskets and a, c one, then scores are cosine-normalized and sorted', () => {
    const acc = accumulate([
      purchase('a', 'u1', 's1', T0 - 10 * HOUR),
      purchase('b', 'u1', 's1', T0 - 10 * HOUR),
      purchase('a', 'u2', 's2', T0 - 5 * HOUR),
      purchase('b', 'u2', 's2', T0 - 5 * HOUR),
      purchase('c', 'u2', 's2', T0 - 5 * HOUR),
    ]);
    const cooc = buildCooc(acc, base, { topN: 5, minSupport: 1 });
    // n(a)=2, n(b)=2, n(c)=1: w(a,b)=2 → 2/√4 = 1; w(a,c)=1 → 1/√2
    expect(cooc.neighbors.find((n) => n.item_id === 'a')!.items).toEqual([
      { item_id: 'b', score: 1 },
      { item_id: 'c', score: Number((1 / Math.SQRT2).toPrecision(6)) },
    ]);
    expect(
      buildCooc(acc, base, { topN: 5, minSupport: 2 }).neighbors.find((n) => n.item_id === 'a')!.items,
    ).toEqual([{ item_id: 'b', score: 1 }]);
  });

  it('when a user buys x then y in separate sessions inside the user window, then x and y are paired with the window weight', () => {
    const acc = accumulate(
      [purchase('x', 'u1', 's1', T0 - 50 * HOUR), purchase('y', 'u1', 's2', T0 - 2 * HOUR)],
      {
        userWindowMs: 72 * HOUR,
        userWindowItems: 10,
        userWindowWeight: 0.5,
      },
    );
    expect(acc.pairs[0]!.get(1)).toBe(0.5);
    const cooc = buildCooc(acc, base, { topN: 5, minSupport: 0.5 });
    expect(cooc.neighbors.map((n) => n.item_id)).toEqual(['x', 'y']);
  });

  it('when a basket is larger than the per-session limit, then it is skipped and counted', () => {
    const records = Array.from({ length: 5 }, (_, i) => purchase(`i${i}`, 'u1', 's1', T0 - HOUR));
    const acc = accumulate(records, { maxItemsPerSession: 4 });
    expect(acc.stats.skippedBaskets).toBe(1);
    expect(acc.pairs.every((p) => p.size === 0)).toBe(true);
  });

  it('when top-N is above the hard cap, then the build fails with a limit error', () => {
    const acc = accumulate([purchase('a', 'u1', 's1', T0 - HOUR)]);
    expect(() => buildCooc(acc, base, { topN: 501, minSupport: 1 })).toThrow(LimitError);
  });
});

/** A hub bought with 300 one-off items once each and with `mate` 100 times (in time order). */
function hubInput(): InputRecord[] {
  const records: InputRecord[] = [];
  for (let i = 0; i < 350; i++) {
    const at = T0 - 29 * DAY_MS + i * 2 * HOUR;
    records.push(purchase('hub', `u${i}`, `s${i}`, at));
    records.push(purchase(i < 300 ? `x${i}` : 'mate', `u${i}`, `s${i}`, at + 60_000));
  }
  const mates: InputRecord[] = [];
  for (let i = 0; i < 50; i++) {
    const at = T0 - 29 * DAY_MS + i * 2 * HOUR + 90_000;
    mates.push(purchase('hub', `m${i}`, `t${i}`, at), purchase('mate', `m${i}`, `t${i}`, at + 1));
  }
  return [...records, ...mates].sort((a, b) =>
    a.kind === 'event' && b.kind === 'event' ? a.event.at - b.event.at : 0,
  );
}

describe('bounded counters', () => {
  const input = hubInput();

  it('when the counters fit their budget, then nothing is pruned and the artifacts are the unbounded ones', () => {
    const exact = accumulate(input);
    const budgeted = accumulate(input, { pairBudget: 2_000, transitionBudget: 2_000, keepFloor: 10 });
    expect(budgeted.stats.prunedPairs).toBe(0);
    expect(buildCooc(budgeted, base, { topN: 5, minSupport: 1 })).toEqual(
      buildCooc(exact, base, { topN: 5, minSupport: 1 }),
    );
    expect(buildSessionSeq(budgeted, base, { topN: 5, minSupport: 1 })).toEqual(
      buildSessionSeq(exact, base, { topN: 5, minSupport: 1 }),
    );
  });

  it('when they go over it, then each item keeps its strongest neighbours, totals stay exact and the artifact says so', () => {
    const acc = accumulate(input, { pairBudget: 100, transitionBudget: 100, keepFloor: 10 });
    expect(acc.stats.prunedPairs).toBeGreaterThan(0);
    const hub = acc.itemIds.indexOf('hub');
    const mate = acc.itemIds.indexOf('mate');
    expect(acc.pairs[hub]!.size).toBeLessThanOrEqual(12);
    const cooc = buildCooc(acc, base, { topN: 3, minSupport: 1 });
    expect(cooc.counts.pruned_entries).toBe(acc.stats.prunedPairs);
    expect(cooc.neighbors.find((n) => n.item_id === 'hub')!.items[0]!.item_id).toBe('mate');
    // Lossy counting: dropped once while it was still as weak as the one-offs, so slightly under 100.
    expect(acc.pairs[hub]!.get(mate)).toBeGreaterThan(95);
    expect(acc.pairs[hub]!.get(mate)).toBeLessThanOrEqual(100);
    const seq = buildSessionSeq(acc, base, { topN: 3, minSupport: 1 });
    const next = seq.neighbors.find((n) => n.item_id === 'hub')!.items[0]!;
    // The denominator is the exact total of the hub's 400 transitions.
    expect(next.item_id).toBe('mate');
    expect(next.score).toBeGreaterThan(95 / 400);
    expect(next.score).toBeLessThanOrEqual(100 / 400);
    expect(seq.counts.pruned_entries).toBe(acc.stats.prunedTransitions);
    expect(Artifact.safeParse(cooc).success).toBe(true);
  });
});

describe('counter memory budget', () => {
  // The hub's tables hold 301 neighbours, every other item's one or two.
  const input = hubInput();
  const unbounded = accumulate(input);
  const peak = unbounded.stats.counterMemoryPeakBytes;

  it('when the budget holds the counters, then nothing is cut and the artifacts are the unbounded ones', () => {
    const acc = accumulate(input, { counterMemoryBytes: peak, minKeep: 3 });
    expect(peak).toBeGreaterThan(0);
    expect(acc.stats).toMatchObject({ memoryTightenings: 0, prunedPairs: 0, counterMemoryPeakBytes: peak });
    expect(buildCooc(acc, base, { topN: 5, minSupport: 1 })).toEqual(
      buildCooc(unbounded, base, { topN: 5, minSupport: 1 }),
    );
  });

  it('when the counters outgrow it, then the large tables are cut, memory stays within it and the strongest neighbour survives', () => {
    const budget = peak - 2_000;
    const acc = accumulate(input, { counterMemoryBytes: budget, minKeep: 3 });
    expect(acc.stats.memoryTightenings).toBeGreaterThan(0);
    expect(acc.stats.counterMemoryPeakBytes).toBeLessThanOrEqual(budget);
    expect(acc.stats.prunedPairs).toBeGreaterThan(0);
    const hub = acc.itemIds.indexOf('hub');
    expect(acc.pairs[hub]!.size).toBeLessThan(unbounded.pairs[hub]!.size);
    const cooc = buildCooc(acc, base, { topN: 3, minSupport: 1 });
    expect(cooc.neighbors.find((n) => n.item_id === 'hub')!.items[0]!.item_id).toBe('mate');
    expect(cooc.counts.pruned_entries).toBe(acc.stats.prunedPairs);
    expect(Artifact.safeParse(cooc).success).toBe(true);
  });

  it('when even top-N neighbours per item do not fit, then the run stops with a max_memory limit error', () => {
    const run = () => accumulate(input, { counterMemoryBytes: Math.floor(peak / 2), minKeep: 3 });
    expect(run).toThrow(LimitError);
    expect(run).toThrow(/over the 1 MiB budget; raise PUBLISHER_COUNTER_MEMORY_MB/);
    try {
      run();
    } catch (error) {
      expect((error as LimitError).limit).toBe('max_memory');
    }
  });

  it('when tables grow, are pruned and are tightened, then their accounted bytes are exactly what they hold', () => {
    const counters = new RowCounters(200, 8, (_k, w) => w, false, true);
    for (let row = 0; row < 40; row++) counters.addRow();
    // Row r gets r·3 neighbours, some of them several times.
    for (let row = 0; row < 40; row++)
      for (let k = 0; k < row * 3; k++) counters.add(row, k % (row * 2 + 1), 1);
    const held = () =>
      counters.rows.reduce((sum, table) => sum + TABLE_OVERHEAD_BYTES + table.capacity * 8, 0);
    expect(counters.prunes).toBeGreaterThan(0);
    expect(counters.bytes).toBe(held());
    const before = counters.bytes;
    expect(counters.tighten(before - 1_000, 2)).toBe(true);
    expect(counters.bytes).toBe(held());
    expect(counters.bytes).toBeLessThanOrEqual(before - 1_000);
    expect(Math.max(...counters.rows.map((t) => t.size))).toBeLessThanOrEqual(8);
    expect(counters.tighten(40 * TABLE_OVERHEAD_BYTES, 2)).toBe(false);
    expect(counters.bytes).toBe(held());
    for (let k = 0; k < 100; k++) counters.add(39, 1_000 + k, 2);
    expect(counters.bytes).toBe(held());
    expect(counters.rows[39]!.capacity).toBeLessThanOrEqual(4);
  });
});

describe('session transitions and user history', () => {
  it('when sessions go a→b twice and a→c once, then P(b|a)=2/3 and P(c|a)=1/3', () => {
    const acc = accumulate([
      purchase('a', 'u1', 's1', T0 - 9 * HOUR),
      purchase('b', 'u1', 's1', T0 - 9 * HOUR + 1),
      purchase('a', 'u2', 's2', T0 - 8 * HOUR),
      purchase('b', 'u2', 's2', T0 - 8 * HOUR + 1),
      purchase('a', 'u3', 's3', T0 - 7 * HOUR),
      purchase('c', 'u3', 's3', T0 - 7 * HOUR + 1),
    ]);
    const seq = buildSessionSeq(acc, base, { topN: 5, minSupport: 1 });
    expect(seq.neighbors).toEqual([
      {
        item_id: 'a',
        items: [
          { item_id: 'b', score: Number((2 / 3).toPrecision(6)) },
          { item_id: 'c', score: Number((1 / 3).toPrecision(6)) },
        ],
      },
    ]);
  });

  it("when a user bought x twice and y once, then the implicit artifact ranks the user's x above y", () => {
    const acc = accumulate([
      purchase('x', 'u1', 's1', T0 - 1),
      purchase('x', 'u1', 's2', T0 - 2 * HOUR),
      purchase('y', 'u1', 's3', T0 - 4 * HOUR),
    ]);
    const implicit = buildImplicit(acc, base, { maxItemsPerUser: 10, halfLifeMs: 7 * DAY_MS });
    expect(implicit.users[0]!.user_id).toBe('u1');
    expect(implicit.users[0]!.items.map((i) => i.item_id)).toEqual(['x', 'y']);
  });
});

describe('catalog and content', () => {
  it('when catalog upserts and a delete arrive, then the catalog holds the survivors and content keeps tagged items', () => {
    const acc = accumulate([
      {
        kind: 'catalog',
        at: T0 - DAY_MS,
        item: { itemId: 'a', tags: ['Red', 'red', 'shoe'], available: true, title: 'A' },
      },
      { kind: 'catalog', at: T0 - DAY_MS, item: { itemId: 'b', tags: [], available: true } },
      { kind: 'catalog', at: T0 - DAY_MS, item: { itemId: 'c', tags: ['x'], available: true } },
      { kind: 'catalog_delete', itemId: 'c', at: T0 - HOUR },
      { kind: 'catalog', at: T0 + HOUR, item: { itemId: 'future', tags: ['x'], available: true } },
    ]);
    expect(buildCatalog(acc, base, { maxItems: 10 }).items.map((i) => i.item_id)).toEqual(['a', 'b']);
    expect(buildContentSim(acc, base).items).toEqual([{ item_id: 'a', tags: ['red', 'shoe'] }]);
    expect(() => buildCatalog(acc, base, { maxItems: 1 })).toThrow(LimitError);
  });
});

describe('EASE', () => {
  it('when users who buy a also buy b, then b is a’s top EASE neighbour and the build records λ and M', () => {
    const records: InputRecord[] = [];
    for (let u = 0; u < 30; u++) {
      records.push(purchase('a', `u${u}`, `s${u}`, T0 - HOUR), purchase('b', `u${u}`, `s${u}`, T0 - HOUR));
      if (u % 3 === 0) records.push(purchase('c', `u${u}`, `s${u}`, T0 - HOUR));
      if (u % 2 === 0) records.push(purchase(`d`, `v${u}`, `t${u}`, T0 - HOUR));
    }
    const acc = accumulate(records);
    const i2i = buildEase(acc, base, { lambda: 1, maxItems: 10, topN: 2, maxMemoryBytes: 1e9 });
    expect(i2i.neighbors.find((n) => n.item_id === 'a')!.items[0]!.item_id).toBe('b');
    expect(i2i.neighbors.find((n) => n.item_id === 'd')).toBeUndefined(); // d never co-occurs: no positive weight
    expect(i2i.build.params).toEqual({ model: 'ease', lambda: 1, max_items: 10, top_n: 2 });
    expect(i2i.counts.modelled_items).toBe(4);
  });

  it('when the model would exceed the memory budget, then the build fails with a limit error naming the budget', () => {
    const acc = accumulate([purchase('a', 'u1', 's1', T0 - HOUR), purchase('b', 'u1', 's1', T0 - HOUR)]);
    expect(() => buildEase(acc, base, { lambda: 1, maxItems: 10, topN: 2, maxMemoryBytes: 10 })).toThrow(
      /MiB/,
    );
  });

  it('when there are more distinct items than allowed, then accumulation fails with a limit error', () => {
    expect(() =>
      accumulate([purchase('a', 'u', 's', T0 - 1), purchase('b', 'u', 's', T0 - 1)], { maxItems: 1 }),
    ).toThrow(/more than 1 distinct items/);
  });
});

describe('topPositive', () => {
  it('when selecting the top 3 of a row, then it keeps the largest positive values, best first, ties by name', () => {
    const values = Float64Array.from([0.5, -1, 0.9, 0.5, 0, 0.2, 0.5]);
    const names = ['g', 'x', 'a', 'b', 'y', 'c', 'e'];
    expect(topPositive(values, 3, names)).toEqual([2, 3, 6]); // 0.9 (a), then the 0.5 ties by name: b, e
    expect(topPositive(values, 10, names)).toEqual([2, 3, 6, 0, 5]);
    expect(topPositive(Float64Array.from([-1, 0]), 3, ['a', 'b'])).toEqual([]);
  });
});

import { rank, TRACE_LIMIT } from './rank.js';
import { makeInput, makeSnapshot, rule } from './testkit.js';
import type { BlendWeights, RankingResult } from './types.js';

/** makeInput's default `now`; live interactions are given relative to it. */
const NOW = Date.UTC(2026, 0, 1);
const ZERO: BlendWeights = { pop: 0, cooc: 0, emb: 0, i2i: 0, content: 0, session: 0, history: 0 };
const only = (w: Partial<BlendWeights>): BlendWeights => ({ ...ZERO, ...w });
const ids = (r: RankingResult): string[] => r.items.map((i) => i.itemId);
const codes = (r: RankingResult): string[] => r.warnings.map((w) => w.code);

/** p1..pN with popularity N..1. */
function popular(n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 1; i <= n; i++) out[`p${String(i).padStart(2, '0')}`] = n - i + 1;
  return out;
}

describe('rank: determinism and tie order', () => {
  it('when scores tie, then items are ordered by item id ascending (reference vector b:1, a:1, c:0.5)', () => {
    const snap = makeSnapshot({ popularity: { b: 1, a: 1, c: 0.5 } });
    const r = rank(makeInput(snap, { request: { k: 2 }, config: { mode: 'popularity' } }));
    expect(ids(r)).toEqual(['a', 'b']);
    expect(r.items.map((i) => i.rank)).toEqual([1, 2]);
    expect(r.model).toBe('popularity_v1');
  });

  it('when the same input is ranked twice, then the results are identical and the input is not mutated', () => {
    const snap = makeSnapshot({
      popularity: popular(30),
      cooc: { p05: { p20: 3, p21: 3, p22: 1 } },
      i2i: { p07: { p25: 0.2, p26: 0.2 } },
      session: { p09: { p28: 4 } },
      history: { u1: { p07: 2, p05: 1 } },
      catalog: { p05: { tags: ['x', 'y'] }, p23: { tags: ['x'] }, p24: { tags: ['y', 'x'] } },
    });
    const input = makeInput(snap, {
      recent: [{ itemId: 'p09', type: 'view', at: NOW - 5 }],
      request: { k: 12, anchors: ['p05'], explain: 'full', includeTrace: true },
      rules: [rule({ id: 'r1', action: 'boost', itemIds: ['p30'], boostValue: 0.5 })],
    });
    const before = JSON.stringify({ ...input, snapshot: undefined });
    const a = rank(input);
    const b = rank(input);
    expect(b).toEqual(a);
    expect(JSON.stringify({ ...input, snapshot: undefined })).toBe(before);
    const scores = a.items.map((i) => i.score);
    for (let i = 1; i < scores.length; i++) {
      const prev = a.items[i - 1]!;
      const cur = a.items[i]!;
      expect(prev.score > cur.score || (prev.score === cur.score && prev.itemId < cur.itemId)).toBe(true);
    }
  });
});

describe('rank: candidates and signals', () => {
  const snap = makeSnapshot({
    popularity: { ...popular(10), h1: 0.5, h2: 0.5, c1: 0.1, i1: 0.1, s1: 0.1, t1: 0.1 },
    cooc: { a1: { c1: 5, c2: 1 } },
    i2i: { h1: { i1: 0.3, i2: 0.1 } },
    session: { r1: { s1: 2 } },
    history: { u1: { h1: 4, h2: 1 } },
    catalog: { a1: { tags: ['red', 'shoe'] }, t1: { tags: ['red', 'shoe'] }, t2: { tags: ['blue'] } },
  });

  it('when a known user has history, then the default config puts their own items first with buy_again', () => {
    const r = rank(makeInput(snap));
    expect(ids(r).slice(0, 2)).toEqual(['h1', 'h2']);
    expect(r.items[0]!.reasons).toContain('buy_again');
    expect(r.model).toBe('blend_v1');
  });

  it('when allow_repeats is false, then history items are filtered and traced as already_seen', () => {
    const r = rank(
      makeInput(snap, { config: { allowRepeats: false }, request: { includeTrace: true, k: 3 } }),
    );
    expect(ids(r)).not.toContain('h1');
    expect(ids(r)).not.toContain('h2');
    expect(r.trace).toEqual(
      expect.arrayContaining([expect.objectContaining({ itemId: 'h1', outcome: 'filtered:already_seen' })]),
    );
    // the history still seeds the learned neighbours
    expect(ids(r)[0]).toBe('i1');
  });

  it('when the user has history, then learned i2i neighbours of it are candidates with item_similarity', () => {
    const r = rank(makeInput(snap, { request: { k: 20 } }));
    const i1 = r.items.find((i) => i.itemId === 'i1');
    expect(i1?.reasons).toContain('item_similarity');
    expect(ids(r)).toContain('i2');
  });

  it('when anchors are given, then their co-visitation neighbours rank with co_visitation and the anchor is injected', () => {
    const r = rank(makeInput(snap, { request: { anchors: ['a1'], k: 20, subjectId: 'nobody' } }));
    expect(r.items.find((i) => i.itemId === 'c1')?.reasons).toContain('co_visitation');
    expect(ids(r)).toContain('a1');
    expect(ids(r)).toContain('c2');
  });

  it('when recent items have tags, then items sharing tags get content_similarity', () => {
    const r = rank(
      makeInput(snap, {
        recent: [{ itemId: 'a1', type: 'view', at: NOW - 1 }],
        request: { subjectId: 'nobody', k: 20 },
      }),
    );
    expect(r.items.find((i) => i.itemId === 't1')?.reasons).toContain('content_similarity');
    expect(ids(r)).not.toContain('t2');
  });

  it('when the user just viewed an item, then its session next items get session_sequence', () => {
    const r = rank(
      makeInput(snap, {
        recent: [{ itemId: 'r1', type: 'view', at: NOW - 1 }],
        request: { subjectId: 'nobody' },
      }),
    );
    expect(r.items.find((i) => i.itemId === 's1')?.reasons).toContain('session_sequence');
  });

  it('when history_share caps owned items, then the rest of the list is filled with items the user lacks', () => {
    const owned = makeSnapshot({
      popularity: { n1: 3, n2: 2, n3: 1 },
      history: { u1: { h1: 5, h2: 4, h3: 3, h4: 2 } },
    });
    const r = rank(
      makeInput(owned, { request: { k: 4, includeTrace: true }, config: { historyShare: 0.5 } }),
    );
    expect(ids(r)).toEqual(['h1', 'h2', 'n1', 'n2']);
    expect(r.trace).toContainEqual(expect.objectContaining({ itemId: 'h3', outcome: 'history_cap' }));
    expect(ids(rank(makeInput(owned, { request: { k: 4 } })))).toEqual(['h1', 'h2', 'h3', 'h4']);
    const mmr = rank(makeInput(owned, { request: { k: 4 }, config: { historyShare: 0.25, mmrLambda: 0.9 } }));
    expect(ids(mmr).filter((id) => id.startsWith('h'))).toEqual(['h1']);
  });

  it('when a purchase arrives on the live stream, then it is bought-again even without snapshot history', () => {
    const r = rank(
      makeInput(snap, {
        recent: [{ itemId: 'new-item', type: 'purchase', at: NOW - 1 }],
        request: { subjectId: 'nobody' },
      }),
    );
    expect(ids(r)[0]).toBe('new-item');
    expect(r.items[0]!.reasons).toContain('buy_again');
  });

  it('when a live interaction is older than the recent window, then it is no seed and no buy-again, but still seen', () => {
    const snap = makeSnapshot({ popularity: { p: 1, n: 0.5 }, session: { old: { n: 1 } } });
    const day = 24 * 3_600_000;
    const input = (at: number, config = {}) =>
      makeInput(snap, {
        recent: [{ itemId: 'old', type: 'purchase', at }],
        request: { subjectId: 'nobody', explain: 'full' },
        config: { allowRepeats: false, ...config },
      });
    const fresh = rank(input(NOW - day / 2));
    expect(fresh.items.find((i) => i.itemId === 'n')!.explain!.signals.session).toBeGreaterThan(0);
    const stale = rank(input(NOW - 2 * day));
    expect(stale.items.find((i) => i.itemId === 'n')!.explain!.signals.session).toBe(0);
    expect(stale.items.map((i) => i.itemId)).not.toContain('old'); // seen: no repeat
    const widened = rank(input(NOW - 2 * day, { recentWindowHours: 72 }));
    expect(widened.items.find((i) => i.itemId === 'n')!.explain!.signals.session).toBeGreaterThan(0);
  });

  it('when the newest interaction with an item is a dismiss, then it is not recommended', () => {
    const r = rank(
      makeInput(snap, {
        recent: [
          { itemId: 'h1', type: 'dismiss', at: NOW - 1 },
          { itemId: 'h1', type: 'purchase', at: NOW - 2 },
        ],
        request: { k: 20 },
      }),
    );
    expect(ids(r)).not.toContain('h1');
    expect(ids(r)[0]).toBe('h2');
  });

  it('when the snapshot is missing, then recent purchases and anchors are still served', () => {
    const r = rank(
      makeInput(undefined, {
        recent: [{ itemId: 'x', type: 'purchase', at: NOW - 1 }],
        request: { anchors: ['y'] },
      }),
    );
    expect(ids(r).sort()).toEqual(['x', 'y']);
  });
});

describe('rank: history seeds read in snapshot order', () => {
  // Snapshots keep each user's history in (score desc, id asc) order, which rank() reads as is when no live
  // purchase or dismissal changed it. A snapshot whose list is out of order must give the same ranking.
  it('when the history list is shuffled, then the ranking is the same as from the ordered list', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 40; round++) {
      const items = Array.from({ length: 30 }, (_, i) => `i${i}`);
      const history: Record<string, number> = {};
      for (const id of items) if (random() < 0.5) history[id] = Math.ceil(random() * 4);
      const i2i: Record<string, Record<string, number>> = {};
      for (const id of items) {
        i2i[id] = {};
        for (const other of items) if (other !== id && random() < 0.2) i2i[id][other] = random();
      }
      const popularity = Object.fromEntries(items.map((id) => [id, random()]));
      const snap = makeSnapshot({ popularity, i2i, history: { u1: history } });
      const ordered = snap.userHistory.get('u1') ?? [];
      // Not buildSnapshot's lists any more, so not marked canonical.
      const shuffled = {
        ...snap,
        historyCanonical: false,
        userHistory: new Map([['u1', [...ordered].reverse()]]),
      };
      const config = { weights: { ...ZERO, i2i: 0.5, pop: 0.2, history: 0.3, content: 0.1 } };
      const input = (s: typeof snap) =>
        makeInput(s, { request: { k: 10 }, config: { ...config, historySeeds: 5 } });
      expect(rank(input(shuffled))).toEqual(rank(input(snap)));
    }
  });
});

describe('rank: normalization and blending', () => {
  it('when only popularity is weighted, then score = w·s/max (max-normalization per request)', () => {
    const snap = makeSnapshot({ popularity: { a: 4, b: 2, c: 1 } });
    const r = rank(makeInput(snap, { config: { weights: only({ pop: 2 }) } }));
    expect(r.items.map((i) => [i.itemId, i.score])).toEqual([
      ['a', 2],
      ['b', 1],
      ['c', 0.5],
    ]);
  });

  it('when normalization is saturating, then score = w·s/(s+1) as in the reference', () => {
    const snap = makeSnapshot({ popularity: { a: 4, b: 1 } });
    const r = rank(makeInput(snap, { config: { weights: only({ pop: 1 }), normalization: 'saturating' } }));
    expect(r.items.map((i) => i.score)).toEqual([0.8, 0.5]);
  });

  it('when explain is full, then the weighted contributions sum to the score', () => {
    const snap = makeSnapshot({
      popularity: { a: 4, b: 2, n: 1 },
      cooc: { a: { n: 2, b: 1 } },
      i2i: { a: { n: 0.5 } },
      history: { u1: { a: 1 } },
    });
    const r = rank(makeInput(snap, { request: { explain: 'full', anchors: ['a'] } }));
    for (const item of r.items) {
      const s = item.explain!.signals;
      const sum = s.pop! + s.cooc! + s.i2i! + s.content! + s.session! + s.history!;
      expect(sum).toBeCloseTo(item.score, 12);
      expect(s.emb).toBeCloseTo(s.i2i! + s.content! + s.session!, 12);
    }
    const n = r.items.find((i) => i.itemId === 'n')!;
    // n: pop 1/4, cooc 2/2 (max), i2i 0.5/0.5 (max); default weights pop .15, cooc .15, i2i .4
    expect(n.score).toBeCloseTo(0.15 * 0.25 + 0.15 + 0.4, 12);
    expect(n.explain!.signals.cooc_norm).toBe(1);
  });

  it('when the user has history but no anchors or recent items, then co-visitation is expanded only with cooc_seeds all', () => {
    const snap = makeSnapshot({
      popularity: { a: 4, b: 2, n: 1 },
      cooc: { a: { n: 2 } },
      history: { u1: { a: 1 } },
    });
    const byContext = rank(makeInput(snap, { request: { explain: 'full' } }));
    expect(byContext.items.find((i) => i.itemId === 'n')!.explain!.signals.cooc).toBe(0);
    const byHistory = rank(makeInput(snap, { request: { explain: 'full' }, config: { coocSeeds: 'all' } }));
    expect(byHistory.items.find((i) => i.itemId === 'n')!.explain!.signals.cooc).toBeCloseTo(0.15, 12);
  });

  it('when history_seed_power is 0, then every owned item seeds its neighbours with the same weight', () => {
    const snap = makeSnapshot({
      popularity: { a: 1, b: 1, x: 1, y: 1 },
      i2i: { a: { x: 1 }, b: { y: 1 } },
      history: { u1: { a: 4, b: 1 } },
    });
    const score = (power: number, id: string) =>
      rank(makeInput(snap, { request: { explain: 'full' }, config: { historySeedPower: power } })).items.find(
        (i) => i.itemId === id,
      )!.explain!.signals.i2i;
    expect(score(0, 'x')).toBeCloseTo(score(0, 'y')!, 12);
    // power 1: seed weights 1 and 1/4; power 0.5: 1 and 1/2 (i2i normalized by the larger sum)
    expect(score(1, 'y')! / score(1, 'x')!).toBeCloseTo(0.25, 12);
    expect(score(0.5, 'y')! / score(0.5, 'x')!).toBeCloseTo(0.5, 12);
  });

  it('when explain is summary, then signals are pop/cooc/emb/history and rules are listed', () => {
    const snap = makeSnapshot({ popularity: { a: 1 } });
    const r = rank(
      makeInput(snap, {
        request: { explain: 'summary' },
        rules: [rule({ id: 'b1', action: 'boost', itemIds: ['a'], boostValue: 1 })],
      }),
    );
    expect(Object.keys(r.items[0]!.explain!.signals).sort()).toEqual(['cooc', 'emb', 'history', 'pop']);
    expect(r.items[0]!.explain!.rules).toEqual(['rule.boost:+1.00[b1]']);
    expect(rank(makeInput(snap)).items[0]!.explain).toBeUndefined();
  });

  it('when only emb is weighted, then the similarity bucket scores i2i neighbours (reference compatible)', () => {
    const snap = makeSnapshot({ popularity: { z: 9 }, i2i: { a: { n1: 2, n2: 1 } } });
    const r = rank(
      makeInput(snap, { request: { anchors: ['a'], k: 3 }, config: { weights: only({ emb: 1 }) } }),
    );
    expect(ids(r)).toEqual(['n1', 'n2', 'a']);
    expect(r.items[0]!.score).toBe(1);
    expect(r.items[0]!.reasons).toEqual(['item_similarity']);
  });

  it('when every weight is zero, then popularity alone ranks', () => {
    const snap = makeSnapshot({ popularity: { a: 1, b: 2 } });
    const r = rank(makeInput(snap, { config: { weights: ZERO } }));
    expect(ids(r)).toEqual(['b', 'a']);
    expect(r.model).toBe('popularity_v1');
  });
});

describe('rank: modes', () => {
  const snap = makeSnapshot({
    popularity: { p1: 3, p2: 2, n1: 1 },
    cooc: { a: { n1: 5, n2: 2, a2: 1 } },
    i2i: { h: { j1: 1 } },
    history: { u1: { h: 1 } },
  });

  it('when mode is popularity, then co-visitation is ignored', () => {
    const r = rank(makeInput(snap, { config: { mode: 'popularity' }, request: { subjectId: undefined } }));
    expect(ids(r)).toEqual(['p1', 'p2', 'n1']);
  });

  it('when mode is cooc, then neighbours of the anchors rank and anchors are excluded', () => {
    const r = rank(makeInput(snap, { config: { mode: 'cooc' }, request: { anchors: ['a', 'a2'] } }));
    expect(ids(r)).toEqual(['n1', 'n2']);
    expect(r.model).toBe('cooc_v1');
  });

  it('when mode is cooc and nothing co-occurs, then it falls back to popularity (anchors injected)', () => {
    const r = rank(
      makeInput(snap, { config: { mode: 'cooc' }, request: { anchors: ['zzz'], subjectId: 'x' } }),
    );
    expect(ids(r)).toEqual(['p1', 'zzz', 'p2', 'n1']);
    expect(r.model).toBe('popularity_v1');
  });

  it('when mode is implicit, then the user history and its i2i neighbours rank, else popularity', () => {
    expect(ids(rank(makeInput(snap, { config: { mode: 'implicit' } })))).toEqual(['h', 'j1']);
    const cold = rank(makeInput(snap, { config: { mode: 'implicit' }, request: { subjectId: 'x' } }));
    expect(ids(cold)).toEqual(['p1', 'p2', 'n1']);
  });
});

describe('rank: rules', () => {
  const snap = makeSnapshot({
    popularity: { a: 5, b: 4, c: 3, d: 2, e: 1 },
    catalog: {
      a: { tags: ['brand:acme', 'shoe'] },
      b: { tags: ['category:bags'] },
      c: { tags: ['shoe'] },
      gone: { available: false },
    },
  });
  const base = { config: { weights: only({ pop: 1 }) }, request: { k: 5 } };

  it('when an item is pinned, then it comes first even with a lower score, flagged and reasoned', () => {
    const r = rank(makeInput(snap, { ...base, rules: [rule({ id: 'r1', action: 'pin', itemIds: ['d'] })] }));
    expect(ids(r)).toEqual(['d', 'a', 'b', 'c', 'e']);
    expect(r.items[0]!.pinned).toBe(true);
    expect(r.items[0]!.score).toBe(0.4);
    expect(r.items[0]!.reasons).toContain('rule.pin[r1]');
  });

  it('when a pinned item is outside the pool, then it still comes first with score 0', () => {
    const r = rank(
      makeInput(snap, { ...base, rules: [rule({ id: 'r1', action: 'pin', itemIds: ['ext'] })] }),
    );
    expect(r.items[0]).toMatchObject({ itemId: 'ext', score: 0, rank: 1, pinned: true });
    expect(r.items).toHaveLength(5);
  });

  it('when pins exceed the global cap, then only maxPins are pinned and the rest rank normally', () => {
    const r = rank(
      makeInput(snap, { ...base, rules: [rule({ id: 'r1', action: 'pin', itemIds: ['e', 'd', 'c', 'b'] })] }),
    );
    expect(r.items.filter((i) => i.pinned).map((i) => i.itemId)).toEqual(['e', 'd', 'c']);
    expect(ids(r)).toEqual(['e', 'd', 'c', 'a', 'b']);
    const capped = rank(
      makeInput(snap, {
        ...base,
        rules: [rule({ id: 'r1', action: 'pin', itemIds: ['e', 'd', 'c'], maxPins: 2 })],
      }),
    );
    expect(capped.items.filter((i) => i.pinned).map((i) => i.itemId)).toEqual(['e', 'd']);
    const two = rank(
      makeInput(snap, {
        request: { k: 5 },
        config: { weights: only({ pop: 1 }), maxPins: 1 },
        rules: [rule({ id: 'r1', action: 'pin', itemIds: ['e', 'd'] })],
      }),
    );
    expect(two.items.filter((i) => i.pinned).map((i) => i.itemId)).toEqual(['e']);
  });

  it('when an item is blocked, then it is never returned and the trace names the rule', () => {
    const r = rank(
      makeInput(snap, {
        ...base,
        request: { k: 5, includeTrace: true },
        rules: [rule({ id: 'bl', action: 'block', itemIds: ['a'] })],
      }),
    );
    expect(ids(r)).toEqual(['b', 'c', 'd', 'e']);
    expect(r.trace).toContainEqual({ itemId: 'a', outcome: 'blocked:rule[bl]', score: 1 });
  });

  it('when block has lower priority than pin on the same item, then block still wins and frees the slot', () => {
    const rules = [
      rule({ id: 'pin', action: 'pin', itemIds: ['e', 'd', 'c', 'b'], priority: 100 }),
      rule({ id: 'blk', action: 'block', itemIds: ['e'], priority: 50 }),
      rule({ id: 'pin2', action: 'pin', itemIds: ['b'], priority: 10 }),
    ];
    const r = rank(makeInput(snap, { ...base, rules }));
    expect(ids(r)).not.toContain('e');
    expect(r.items.filter((i) => i.pinned).map((i) => i.itemId)).toEqual(['d', 'c', 'b']);
    const reversed = rank(
      makeInput(snap, {
        ...base,
        rules: [
          rule({ id: 'blk', action: 'block', itemIds: ['e'], priority: 100 }),
          rule({ id: 'pin', action: 'pin', itemIds: ['e'], priority: 50 }),
        ],
      }),
    );
    expect(ids(reversed)).not.toContain('e');
  });

  it('when boosted, then the score is multiplied, unknown items are injected at boost_value, boosts compound', () => {
    const r = rank(
      makeInput(snap, {
        ...base,
        rules: [
          rule({ id: 'b1', action: 'boost', itemIds: ['e'], boostValue: 1, priority: 2 }),
          rule({ id: 'b2', action: 'boost', itemIds: ['e'], boostValue: 0.25, priority: 1 }),
          rule({ id: 'b3', action: 'boost', itemIds: ['new'], boostValue: 2 }),
          rule({ id: 'b4', action: 'boost', itemIds: ['b'], boostValue: 0.5, priority: 3 }),
        ],
      }),
    );
    const byId = new Map(r.items.map((i) => [i.itemId, i]));
    expect(byId.get('new')!.score).toBe(2);
    expect(byId.get('b')!.score).toBeCloseTo(1.2, 12);
    expect(byId.get('e')!.score).toBeCloseTo(0.5, 12); // 0.2 → 0.4 → 0.5
    expect(byId.get('e')!.reasons).toEqual([
      'recent_popularity',
      'rule.boost:+0.25[b2]',
      'rule.boost:+1.00[b1]',
    ]);
    expect(ids(r)[0]).toBe('new');
  });

  it('when a rule is out of its window, disabled or scoped elsewhere, then it does not apply', () => {
    const now = 1_000_000;
    const pin = (over: Parameters<typeof rule>[0]) =>
      rank(makeInput(snap, { ...base, now, rules: [rule({ ...over, itemIds: ['e'] })] })).items[0]!.itemId;
    expect(pin({ id: 'w', action: 'pin', startsAt: now + 1 })).toBe('a');
    expect(pin({ id: 'w', action: 'pin', endsAt: now })).toBe('a');
    expect(pin({ id: 'w', action: 'pin', startsAt: now, endsAt: now + 1 })).toBe('e');
    expect(pin({ id: 'w', action: 'pin', enabled: false })).toBe('a');
    expect(pin({ id: 'w', action: 'pin', surface: 'pdp' })).toBe('a');
    expect(pin({ id: 'w', action: 'pin', surface: 'HOME' })).toBe('e');
    expect(pin({ id: 'w', action: 'pin', segment: 'vip' })).toBe('a');
    const vip = rank(
      makeInput(snap, {
        ...base,
        request: { k: 5, segment: 'vip' },
        rules: [rule({ id: 'w', action: 'pin', itemIds: ['e'], segment: 'VIP' })],
      }),
    );
    expect(vip.items[0]!.itemId).toBe('e');
  });

  it('when rules target brand, category or tag, then they match catalog tags via the configured prefixes', () => {
    const brand = rank(
      makeInput(snap, {
        ...base,
        rules: [rule({ id: 'x', action: 'block', targetType: 'brand', targetKey: 'ACME' })],
      }),
    );
    expect(ids(brand)).not.toContain('a');
    const category = rank(
      makeInput(snap, {
        ...base,
        rules: [rule({ id: 'x', action: 'pin', targetType: 'category', targetKey: 'bags' })],
      }),
    );
    expect(category.items[0]!.itemId).toBe('b');
    const tag = rank(
      makeInput(snap, {
        ...base,
        rules: [rule({ id: 'x', action: 'block', targetType: 'tag', targetKey: 'shoe' })],
      }),
    );
    expect(ids(tag)).toEqual(['b', 'd', 'e']);
    const prefixedTag = rank(
      makeInput(snap, {
        ...base,
        rules: [rule({ id: 'x', action: 'block', targetType: 'tag', targetKey: 'brand:acme' })],
      }),
    );
    expect(ids(prefixedTag)).toContain('a');
  });

  it('when a tag is carried by more items than the pool holds, then tag rules still match the pool items', () => {
    const catalog: Record<string, { tags: string[] }> = {};
    for (let i = 0; i < 30; i++) catalog[`x${i}`] = { tags: ['sale'] };
    const wide = makeSnapshot({ popularity: { x1: 3, x2: 2, y: 1 }, catalog });
    const r = rank(
      makeInput(wide, {
        config: { weights: only({ pop: 1 }) },
        rules: [rule({ id: 's', action: 'boost', targetType: 'tag', targetKey: 'SALE', boostValue: 1 })],
      }),
    );
    expect(r.items.map((i) => [i.itemId, i.score])).toEqual([
      ['x1', 2],
      ['x2', 4 / 3],
      ['y', 1 / 3],
    ]);
  });

  it('when several pin rules apply, then pins follow priority order', () => {
    const r = rank(
      makeInput(snap, {
        ...base,
        rules: [
          rule({ id: 'low', action: 'pin', itemIds: ['e'], priority: 1 }),
          rule({ id: 'high', action: 'pin', itemIds: ['d'], priority: 9 }),
        ],
      }),
    );
    expect(ids(r).slice(0, 2)).toEqual(['d', 'e']);
  });

  it('when a pinned item is excluded, unavailable or outside include_ids, then it is not returned and uses no slot', () => {
    const r = rank(
      makeInput(snap, {
        request: { k: 5, excludeIds: ['e'] },
        config: { weights: only({ pop: 1 }), maxPins: 1 },
        rules: [rule({ id: 'p', action: 'pin', itemIds: ['e', 'gone', 'd'] })],
      }),
    );
    expect(ids(r)).toEqual(['d', 'a', 'b', 'c']);
  });
});

describe('rank: constraints with back-fill', () => {
  const catalog: Record<string, { tags?: string[]; available?: boolean }> = {};
  const pop = popular(40);
  for (const id of Object.keys(pop)) catalog[id] = { tags: [Number(id.slice(1)) % 2 === 0 ? 'even' : 'odd'] };
  catalog.p03 = { tags: ['odd'], available: false };
  catalog.deep = { tags: ['rare'] };
  const snap = makeSnapshot({ popularity: { ...pop, deep: 0.001 }, catalog });
  const base = { config: { weights: only({ pop: 1 }), fanout: 20 } };

  it('when exclude_ids are given, then they are never returned and the list is back-filled to k', () => {
    const r = rank(makeInput(snap, { ...base, request: { k: 5, excludeIds: ['p01', 'p02'] } }));
    expect(ids(r)).toEqual(['p04', 'p05', 'p06', 'p07', 'p08']);
  });

  it('when an item is unavailable in the catalog, then it is never returned, even as an anchor', () => {
    const r = rank(makeInput(snap, { ...base, request: { k: 40, anchors: ['p03'] } }));
    expect(ids(r)).not.toContain('p03');
  });

  it('when include_ids are given, then only listed items are returned, injected, with FILTERED warning', () => {
    const r = rank(makeInput(snap, { ...base, request: { k: 5, includeIds: ['p10', 'unknown', 'p03'] } }));
    expect(ids(r)).toEqual(['p10', 'unknown']);
    expect(codes(r)).toEqual(['CANDIDATES_INCLUDE_FILTERED']);
    expect(r.warnings[0]!.detail).toBe('3 items removed by candidates.include_ids');
  });

  it('when no listed include_id can be returned, then CANDIDATES_INCLUDE_EMPTY', () => {
    const r = rank(makeInput(snap, { ...base, request: { k: 5, includeIds: ['p03'] } }));
    expect(r.items).toEqual([]);
    expect(codes(r)).toEqual(['CANDIDATES_INCLUDE_EMPTY']);
  });

  it('when forbidden_tags remove items, then k items still come back and CONSTRAINTS_FILTERED counts them', () => {
    const r = rank(makeInput(snap, { ...base, request: { k: 5, forbiddenTags: ['EVEN'] } }));
    expect(ids(r)).toEqual(['p01', 'p05', 'p07', 'p09', 'p11']);
    expect(r.warnings).toEqual([
      {
        code: 'CONSTRAINTS_FILTERED',
        detail: '3 items removed by tag constraints (required_tags: 0, forbidden_tags: 3, max_per_tag: 0)',
      },
    ]);
  });

  it('when max_per_tag caps a tag, then later items of other tags back-fill the list', () => {
    const r = rank(makeInput(snap, { ...base, request: { k: 5, maxPerTag: { odd: 1, even: 2 } } }));
    expect(ids(r)).toEqual(['p01', 'p02', 'p04']);
    const one = rank(makeInput(snap, { ...base, request: { k: 4, maxPerTag: { odd: 1 } } }));
    expect(ids(one)).toEqual(['p01', 'p02', 'p04', 'p06']);
    expect(one.warnings[0]!.detail).toBe(
      '1 items removed by tag constraints (required_tags: 0, forbidden_tags: 0, max_per_tag: 1)',
    );
    const loose = rank(makeInput(snap, { ...base, request: { k: 4, maxPerTag: { odd: 2 } } }));
    expect(ids(loose)).toEqual(['p01', 'p02', 'p04', 'p05']);
    expect(loose.warnings).toEqual([]);
  });

  it('when required_tags are given, then untagged items drop and matching items beyond the fan-out back-fill', () => {
    const r = rank(makeInput(snap, { ...base, request: { k: 3, requiredTags: ['rare', 'odd'] } }));
    expect(ids(r)).toEqual(['p01', 'p05', 'p07']);
    const rare = rank(
      makeInput(snap, { ...base, request: { k: 3, requiredTags: ['rare'], includeTrace: true } }),
    );
    expect(ids(rare)).toEqual(['deep']);
    expect(rare.trace).toContainEqual({ itemId: 'p01', outcome: 'filtered:required_tags', score: 1 });
  });

  it('when k exceeds the candidates, then every eligible candidate is returned once', () => {
    const small = makeSnapshot({ popularity: { a: 1, b: 1 } });
    const r = rank(makeInput(small, { ...base, request: { k: 50, anchors: ['b', 'c'] } }));
    // injected anchors take the top popularity score, so all three tie and sort by id
    expect(ids(r)).toEqual(['a', 'b', 'c']);
  });
});

describe('rank: MMR diversity', () => {
  const snap = makeSnapshot({
    popularity: { a: 10, b: 9, c: 8, d: 1 },
    catalog: {
      a: { tags: ['x', 'y'] },
      b: { tags: ['x', 'y'] },
      c: { tags: ['x', 'y'] },
      d: { tags: ['z'] },
    },
  });
  const cfg = (mmrLambda: number) => ({ weights: only({ pop: 1 }), mmrLambda });

  it('when lambda is 1, then relevance order is kept and every item carries diversity', () => {
    const r = rank(makeInput(snap, { config: cfg(1), request: { k: 3 } }));
    expect(ids(r)).toEqual(['a', 'b', 'c']);
    expect(r.items.every((i) => i.reasons?.includes('diversity'))).toBe(true);
  });

  it('when lambda is low, then a dissimilar item is selected second and the order follows selection', () => {
    const r = rank(makeInput(snap, { config: cfg(0.3), request: { k: 3 } }));
    expect(ids(r)).toEqual(['a', 'd', 'b']);
  });

  it('when MMR is on with pins and max_per_tag, then pins come first and caps hold', () => {
    const r = rank(
      makeInput(snap, {
        config: cfg(0.5),
        request: { k: 3, maxPerTag: { x: 1 } },
        rules: [rule({ id: 'p', action: 'pin', itemIds: ['c'] })],
      }),
    );
    expect(ids(r)).toEqual(['c', 'd']);
  });
});

describe('rank: trace and warnings', () => {
  it('when the trace is requested, then it lists filtered and out-ranked candidates within its bound', () => {
    const snap = makeSnapshot({ popularity: popular(99) });
    const r = rank(
      makeInput(snap, {
        config: { weights: only({ pop: 1 }) },
        request: { k: 2, includeTrace: true, excludeIds: ['p01'] },
      }),
    );
    expect(r.trace![0]).toEqual({ itemId: 'p01', outcome: 'filtered:exclude_ids', score: 1 });
    expect(r.trace!.filter((t) => t.outcome === 'outranked').map((t) => t.itemId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `p${String(i + 4).padStart(2, '0')}`),
    );
    const many = rank(
      makeInput(makeSnapshot({ popularity: popular(150) }), {
        config: { weights: only({ pop: 1 }) },
        request: { k: 2, includeTrace: true, requiredTags: ['none'] },
      }),
    );
    expect(many.trace!.length).toBe(TRACE_LIMIT);
    expect(rank(makeInput(snap)).trace).toBeUndefined();
  });

  it('when the snapshot is missing, then SIGNAL_UNAVAILABLE names only the weighted signals', () => {
    const r = rank(makeInput(undefined, { config: { weights: only({ pop: 1, i2i: 0.5 }) } }));
    expect(r.warnings.map((w) => w.detail)).toEqual([
      'popularity unavailable: no signal snapshot loaded',
      'i2i unavailable: no signal snapshot loaded',
    ]);
    expect(r.items).toEqual([]);
  });

  it('when a weighted signal has no data in the snapshot, then it is reported; unweighted ones are not', () => {
    const snap = makeSnapshot({ popularity: { a: 1 }, cooc: { a: { b: 1 } } });
    const r = rank(makeInput(snap, { config: { weights: only({ pop: 1, cooc: 1, session: 1 }) } }));
    expect(r.warnings).toEqual([{ code: 'SIGNAL_UNAVAILABLE', detail: 'session signal unavailable' }]);
  });

  it('when k is out of range, then it is clamped (≤0 → 20, >200 → 200)', () => {
    const snap = makeSnapshot({ popularity: popular(99) });
    expect(rank(makeInput(snap, { request: { k: 0 } })).items).toHaveLength(20);
    const big: Record<string, number> = {};
    for (let i = 0; i < 300; i++) big[`i${i}`] = i + 1;
    expect(
      rank(makeInput(makeSnapshot({ popularity: big }), { request: { k: 500 }, config: { fanout: 400 } }))
        .items,
    ).toHaveLength(200);
  });
});

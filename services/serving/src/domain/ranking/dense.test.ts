import { prng, syntheticSnapshot } from './bench.js';
import { defaultRankingConfig } from './config.js';
import { catalogItemChanged, denseSignals, unavailableItems } from './dense.js';
import { rank } from './rank.js';
import { makeInput, makeSnapshot } from './testkit.js';
import type { RankingInput, RecentInteraction } from './types.js';

describe('dense signals', () => {
  const snapshot = makeSnapshot({
    popularity: { a: 3, b: 2, c: 1 },
    cooc: { a: { b: 0.5, d: 0.25 } },
    i2i: { b: { c: 1 } },
    session: { c: { a: 0.3 } },
    catalog: { a: { tags: ['x', 'y'] }, b: { tags: ['x'] }, e: { tags: [] } },
  });

  it('when built, then the r-th most popular item has dense index r and neighbour rows match the lists', () => {
    const dense = denseSignals(snapshot);
    expect(dense.ids.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect([...dense.pop.slice(0, 3)]).toEqual([3, 2, 1]);
    const a = dense.index.get('a')!;
    const row = [...dense.cooc.item.slice(dense.cooc.start[a], dense.cooc.start[a + 1])].map(
      (i) => dense.ids[i],
    );
    expect(row).toEqual(['b', 'd']);
    expect([...dense.cooc.score.slice(dense.cooc.start[a], dense.cooc.start[a + 1])]).toEqual([0.5, 0.25]);
    expect(dense.tagCount[a]).toBe(2);
    expect(denseSignals(snapshot)).toBe(dense); // cached per snapshot
    expect(snapshot.approxBytes).toBeGreaterThan(dense.bytes);
  });

  it('when a live catalog update changes an item’s tags, then its dense tag count and the tags epoch follow', () => {
    const dense = denseSignals(snapshot);
    const previous = snapshot.catalog.get('b')!;
    const epoch = dense.tagsEpoch;
    expect(unavailableItems(snapshot).has('b')).toBe(false);
    snapshot.catalog.set('b', { ...previous, available: false });
    catalogItemChanged(snapshot, 'b', previous.tags);
    expect(dense.tagsEpoch).toBe(epoch); // availability alone leaves content sums valid
    expect(unavailableItems(snapshot).has('b')).toBe(true);
    expect(rank(makeInput(snapshot)).items.map((i) => i.itemId)).not.toContain('b');
    snapshot.catalog.set('b', { itemId: 'b', tags: ['x', 'y', 'z'], available: true });
    catalogItemChanged(snapshot, 'b', previous.tags);
    expect(unavailableItems(snapshot).has('b')).toBe(false);
    expect(rank(makeInput(snapshot)).items.map((i) => i.itemId)).toContain('b');
    expect(dense.tagCount[dense.index.get('b')!]).toBe(3);
    expect(dense.tagsEpoch).toBe(epoch + 1);
  });
});

describe('rank: pruned neighbour candidates', () => {
  const snapshot = syntheticSnapshot(3000, 40, 500);
  const config = defaultRankingConfig();
  const rnd = prng(7);
  const cases: { name: string; input: RankingInput }[] = [];
  for (let n = 0; n < 150; n++) {
    const recent: RecentInteraction[] = Array.from({ length: Math.floor(rnd() * 6) }, (_, j) => ({
      itemId: `item-${Math.floor(rnd() * 3000)}`,
      type: ['view', 'purchase', 'dismiss'][Math.floor(rnd() * 3)]!,
      // half inside the 24-hour recent window, half older
      at: Date.UTC(2026, 0, 1) - j * 10 * 3_600_000,
    }));
    const excludeIds = Array.from(
      { length: Math.floor(rnd() * 30) },
      () => `item-${Math.floor(rnd() * 300)}`,
    );
    cases.push({
      name: `case ${n}`,
      input: {
        ...makeInput(snapshot, {
          request: {
            k: 1 + Math.floor(rnd() * 60),
            subjectId: rnd() < 0.8 ? `user-${Math.floor(rnd() * 500)}` : undefined,
            anchors: rnd() < 0.3 ? [`item-${Math.floor(rnd() * 3000)}`] : [],
            excludeIds,
          },
          config: {
            ...config,
            allowRepeats: rnd() < 0.7,
            ...(rnd() < 0.3 ? { historyShare: 0.5 } : {}),
            ...(rnd() < 0.3 ? { historySeeds: 5, neighboursPerSeed: 10, minNeighboursPerSeed: 2 } : {}),
          },
        }),
        recent,
      },
    });
  }

  it.each(cases)(
    'when ranked pruned and unpruned ($name), then items, scores and warnings are identical',
    ({ input }) => {
      const pruned = rank(input);
      const full = rank(input, { prune: false });
      expect(pruned).toEqual(full);
      expect(pruned.items.length).toBe(full.items.length);
    },
  );

  it('when only a few candidates exist beyond what filters remove, then a pruned pass falls back and fills k', () => {
    const input = makeInput(snapshot, {
      request: {
        k: 200,
        subjectId: 'user-1',
        excludeIds: Array.from({ length: 150 }, (_, i) => `item-${i}`),
      },
      config: { ...config, allowRepeats: false },
    });
    const pruned = rank(input);
    expect(pruned).toEqual(rank(input, { prune: false }));
    expect(pruned.items).toHaveLength(200);
  });

  it('when many candidates tie at the pruning threshold, then those with the smallest ids are kept', () => {
    // 300 equally popular items: all 200 of the fan-out score the same, and 70 of them are kept.
    const ids = Array.from({ length: 300 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
    const tied = makeSnapshot({ popularity: Object.fromEntries(ids.map((id) => [id, 1])) });
    const input = makeInput(tied, { request: { k: 20 }, config });
    const pruned = rank(input);
    expect(pruned).toEqual(rank(input, { prune: false }));
    expect(pruned.items.map((item) => item.itemId)).toEqual(ids.slice(0, 20));
  });
});

import { similar, SIMILAR_COOC_WEIGHT } from './similar.js';
import { makeSnapshot } from './testkit.js';
import type { SimilarInput } from './types.js';

const input = (over: Partial<SimilarInput>): SimilarInput => ({
  snapshot: undefined,
  itemId: 'a',
  k: 10,
  includeReasons: true,
  excludeIds: [],
  ...over,
});

describe('similar', () => {
  const snap = makeSnapshot({
    i2i: { a: { b: 0.4, c: 0.2, gone: 0.9 } },
    cooc: { a: { c: 10, d: 5, e: 5, a: 3 }, x: { y: 1 } },
    catalog: { gone: { available: false } },
  });

  it('when both sources have neighbours, then they merge as i2i_norm + 0.5·cooc_norm, score desc then id asc', () => {
    const r = similar(input({ snapshot: snap }));
    // i2i max 0.9 (gone, removed later): b 0.4/0.9, c 0.2/0.9 + 0.5·10/10; d, e 0.5·5/10 (tie → id order)
    expect(r.items.map((i) => i.itemId)).toEqual(['c', 'b', 'd', 'e']);
    expect(r.items[0]!.score).toBeCloseTo(0.2 / 0.9 + SIMILAR_COOC_WEIGHT, 12);
    expect(r.items[2]!.score).toBeCloseTo(0.25, 12);
    expect(r.items[0]!.reasons).toEqual(['item_similarity', 'co_visitation']);
    expect(r.items[1]!.reasons).toEqual(['item_similarity']);
    expect(r.items[2]!.reasons).toEqual(['co_visitation']);
    expect(r.items.map((i) => i.rank)).toEqual([1, 2, 3, 4]);
    expect(r.warnings).toEqual([]);
  });

  it('when items are unavailable, excluded or the item itself, then they are removed; k bounds the list', () => {
    const r = similar(input({ snapshot: snap, excludeIds: ['d'], k: 2 }));
    expect(r.items.map((i) => i.itemId)).toEqual(['c', 'b']);
    expect(r.items.some((i) => i.itemId === 'a' || i.itemId === 'gone')).toBe(false);
  });

  it('when reasons are not requested, then items carry none', () => {
    expect(similar(input({ snapshot: snap, includeReasons: false })).items[0]!.reasons).toBeUndefined();
  });

  it('when the item is unknown, then the list is empty without warning', () => {
    expect(similar(input({ snapshot: snap, itemId: 'nope' }))).toEqual({
      items: [],
      warnings: [],
      model: 'similar_v1',
    });
  });

  it('when no similarity signal exists, then SIGNAL_UNAVAILABLE and no items', () => {
    const expected = [{ code: 'SIGNAL_UNAVAILABLE', detail: 'similarity signals unavailable' }];
    expect(similar(input({})).warnings).toEqual(expected);
    expect(similar(input({ snapshot: makeSnapshot({ popularity: { a: 1 } }) })).warnings).toEqual(expected);
  });

  it('when only co-visitation exists, then its neighbours are served', () => {
    const r = similar(input({ snapshot: makeSnapshot({ cooc: { x: { z: 2, y: 2 } } }), itemId: 'x' }));
    expect(r.items.map((i) => [i.itemId, i.score])).toEqual([
      ['y', 0.5],
      ['z', 0.5],
    ]);
  });
});

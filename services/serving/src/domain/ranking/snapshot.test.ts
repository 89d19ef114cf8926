import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildSnapshot, emptySnapshot } from './snapshot.js';
import type { SnapshotArtifacts } from './snapshot.js';

const meta = { tenantId: 't', surface: 'home', segment: 'default', version: 'v9' };

describe('buildSnapshot', () => {
  const artifacts: SnapshotArtifacts = {
    popularity: {
      items: [
        { item_id: 'b', score: 2, count: 5 },
        { item_id: 'a', score: 2, count: 1 },
        { item_id: 'c', score: 0, count: 3 },
        { item_id: 'd', score: 9, count: 9 },
        { item_id: 'z', score: 0, count: 0 },
      ],
    },
    cooc: {
      neighbors: [
        {
          item_id: 'a',
          items: [
            { item_id: 'c', score: 1 },
            { item_id: 'a', score: 5 },
            { item_id: 'b', score: 3 },
            { item_id: 'c', score: 4 },
            { item_id: 'e', score: 0 },
          ],
        },
      ],
    },
    i2i: { neighbors: [{ item_id: 'a', items: [{ item_id: 'x', score: -1 }] }] },
    session_seq: { neighbors: [{ item_id: 'a', items: [{ item_id: 'b', score: 1 }] }] },
    implicit: {
      users: [
        {
          user_id: 'u',
          items: [
            { item_id: 'a', score: 1 },
            { item_id: 'b', score: 3 },
          ],
        },
        { user_id: 'u', items: [{ item_id: 'a', score: 1 }] },
      ],
    },
    catalog: {
      items: [
        { item_id: 'a', tags: [' Red ', 'red', 'brand:Acme'], available: true, title: 'A', price: 2 },
        { item_id: 'b', tags: ['red'], available: true },
        { item_id: 'd', tags: ['red'], available: false },
        { item_id: 'e', tags: [], available: true },
      ],
    },
    content_sim: {
      items: [
        { item_id: 'e', tags: ['blue'] },
        { item_id: 'a', tags: ['ignored'] },
        { item_id: 'f', tags: ['RED'] },
      ],
    },
  };
  const snap = buildSnapshot(meta, artifacts);

  it('when popularity is built, then it is ranked score desc / id asc, count fills a zero score, unavailable dropped', () => {
    expect(snap.popularityRanked).toEqual(['c', 'a', 'b']);
    expect(snap.popularity.get('c')).toBe(3);
    expect(snap.popularity.has('d')).toBe(false);
    expect(snap.popularity.has('z')).toBe(false);
  });

  it('when neighbour lists are built, then they are sorted, de-duplicated (max kept), self-free and positive', () => {
    expect(snap.cooc.get('a')).toEqual([
      { itemId: 'c', score: 4 },
      { itemId: 'b', score: 3 },
    ]);
    expect(snap.i2i.size).toBe(0);
    expect(snap.sessionNext.get('a')).toEqual([{ itemId: 'b', score: 1 }]);
    const capped = buildSnapshot(meta, artifacts, { maxNeighbours: 1 });
    expect(capped.cooc.get('a')).toEqual([{ itemId: 'c', score: 4 }]);
  });

  it('when catalog and content_sim are given, then tags are normalized and the catalog wins', () => {
    expect(snap.catalog.get('a')).toEqual({
      itemId: 'a',
      title: 'A',
      price: 2,
      tags: ['red', 'brand:acme'],
      available: true,
    });
    expect(snap.catalog.get('e')!.tags).toEqual(['blue']);
    expect(snap.catalog.get('f')).toEqual({ itemId: 'f', tags: ['red'], available: true });
  });

  it('when the tag index is built, then it lists available items by popularity desc then id', () => {
    expect(snap.tagIndex.get('red')).toEqual(['a', 'b', 'f']);
    expect([...snap.tagIndex.keys()]).toEqual(['blue', 'brand:acme', 'red']);
  });

  it('when a user appears twice, then the history sums and sorts', () => {
    expect(snap.userHistory.get('u')).toEqual([
      { itemId: 'b', score: 3 },
      { itemId: 'a', score: 2 },
    ]);
  });

  it('when sizes are estimated, then more data means more bytes and metadata is carried', () => {
    const empty = emptySnapshot(meta);
    expect(empty.approxBytes).toBe(0);
    expect(snap.approxBytes).toBeGreaterThan(1000);
    expect(snap).toMatchObject(meta);
    expect(empty.popularityRanked).toEqual([]);
  });

  it.each([
    ['short item ids', (i: number) => `sku-${i}`],
    ['UUID-like item ids', (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`],
  ])(
    'when a snapshot with %s is built, then its accounted size is within 15% of the memory it holds',
    (_shape, item) => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const json = accountingArtifactsJson(item);
      gc();
      gc();
      const before = process.memoryUsage();
      // Parsed and built in a frame of its own, so that nothing but the snapshot outlives it.
      const built = ((text: string) => buildSnapshot(meta, JSON.parse(text) as SnapshotArtifacts))(json);
      gc();
      gc();
      const after = process.memoryUsage();
      const measured = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
      expect(built.approxBytes / measured).toBeGreaterThan(0.85);
      expect(built.approxBytes / measured).toBeLessThan(1.15);
    },
  );
});

/**
 * Artifacts as serving receives them (JSON): 20k items with 20 neighbours each (fractional scores), 50k users
 * with 5 history items. Built in a function of its own so that none of the objects behind the text stay alive.
 */
function accountingArtifactsJson(item: (i: number) => string): string {
  return JSON.stringify({
    popularity: {
      items: Array.from({ length: 20_000 }, (_, i) => ({ item_id: item(i), score: 1 / (i + 1), count: 1 })),
    },
    i2i: {
      neighbors: Array.from({ length: 20_000 }, (_, i) => ({
        item_id: item(i),
        items: Array.from({ length: 20 }, (_, j) => ({
          item_id: item((i * 7 + j * 13 + 1) % 20_000),
          score: 1 / (j + 2),
        })),
      })),
    },
    implicit: {
      users: Array.from({ length: 50_000 }, (_, u) => ({
        user_id: `user-${u}`,
        items: Array.from({ length: 5 }, (_, j) => ({
          item_id: item((u * 31 + j) % 20_000),
          score: 5.5 - j,
        })),
      })),
    },
  });
}

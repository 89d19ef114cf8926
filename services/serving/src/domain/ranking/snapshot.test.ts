import { denseSignals } from './dense.js';
import { buildSnapshot, emptySnapshot, snapshotSteps } from './snapshot.js';
import { largeArtifactsJson } from './testkit.js';
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

  it('when a snapshot is built in slices, then it yields between them and builds what buildSnapshot builds', () => {
    const json = largeArtifactsJson((i) => `sku-${i}`);
    const steps = snapshotSteps(meta, JSON.parse(json) as SnapshotArtifacts);
    let slices = 0;
    let next = steps.next();
    for (; !next.done; next = steps.next()) slices++;
    const sliced = next.value;
    const whole = buildSnapshot(meta, JSON.parse(json) as SnapshotArtifacts);
    // ~1M units of work (rows and list entries) at 50,000 per slice.
    expect(slices).toBeGreaterThan(15);
    expect(sliced.approxBytes).toBe(whole.approxBytes);
    // Compared as JSON: a deep toEqual of a million entries takes seconds.
    const same = (x: unknown, y: unknown) => expect(JSON.stringify(x)).toBe(JSON.stringify(y));
    same(sliced.popularityRanked, whole.popularityRanked);
    same([...sliced.i2i], [...whole.i2i]);
    same([...sliced.userHistory], [...whole.userHistory]);
    const [a, b] = [denseSignals(sliced), denseSignals(whole)];
    same(a.ids, b.ids);
    for (const rows of ['start', 'item', 'score'] as const) same([...a.i2i[rows]], [...b.i2i[rows]]);
  });
});

import { RankHeap, ranksBefore, topN } from './heap.js';

describe('RankHeap', () => {
  it('when drained, then items come out in score desc / id asc order, same as a full sort', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const items = Array.from({ length: 500 }, (_, i) => ({
      id: `i${(i * 37) % 500}`,
      score: Math.floor(rnd() * 20),
    }));
    const sorted = [...items].sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0));
    const heap = new RankHeap([...items]);
    const out = [];
    for (let x = heap.pop(); x; x = heap.pop()) out.push(x);
    expect(out).toEqual(sorted);
    expect(topN(items, 25)).toEqual(sorted.slice(0, 25));
    expect(topN([], 3)).toEqual([]);
  });
});

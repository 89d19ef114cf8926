import { WeightTable } from './weight-table.js';

describe('WeightTable', () => {
  it('when keys are added many times, then it agrees with a Map and grows as needed', () => {
    const table = new WeightTable(true);
    const reference = new Map<number, number>();
    let seed = 7;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const key = seed % 3_000;
      const weight = (seed % 97) / 10;
      expect(table.add(key, weight)).toBe(!reference.has(key));
      reference.set(key, (reference.get(key) ?? 0) + weight);
    }
    expect(table.size).toBe(reference.size);
    for (const [key, weight] of reference) expect(table.get(key)).toBe(weight);
    expect(table.get(4_000)).toBeUndefined();
    expect(new Map(table)).toEqual(reference);
    expect([...table.keys()].sort((a, b) => a - b)).toEqual([...reference.keys()].sort((a, b) => a - b));
  });

  it('when pruned, then the best-ranked entries stay (ties: lower key) and the arrays shrink', () => {
    const table = new WeightTable();
    for (let k = 0; k < 1_000; k++) table.add(k, k % 10);
    const before = table.capacity;
    expect(table.prune(150, (_k, w) => w)).toBe(850);
    expect(table.size).toBe(150);
    expect(table.capacity).toBeLessThan(before);
    // 100 entries of weight 9, then the 50 lowest keys of weight 8.
    const kept = [...table.keys()].sort((a, b) => a - b);
    expect(kept.filter((k) => k % 10 === 9)).toHaveLength(100);
    expect(kept.filter((k) => k % 10 === 8)).toEqual(Array.from({ length: 50 }, (_, i) => i * 10 + 8));
    table.add(5, 1);
    expect(table.get(5)).toBe(1);
    expect(table.get(9)).toBe(9);
  });

  it('when pruned repeatedly at random sizes, then it keeps exactly the set a full sort keeps, in place', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const table = new WeightTable();
      const reference = new Map<number, number>();
      const n = 2 + (next() % 400);
      for (let i = 0; i < n; i++) {
        const key = next() % 5_000;
        const weight = next() % 7; // few distinct weights: many ties
        table.add(key, weight);
        reference.set(key, (reference.get(key) ?? 0) + weight);
      }
      const keep = 1 + (next() % reference.size);
      const rank = (k: number, w: number) => w / (1 + (k % 3));
      const expected = [...reference]
        .sort((a, b) => rank(b[0], b[1]) - rank(a[0], a[1]) || a[0] - b[0])
        .slice(0, keep)
        .sort((a, b) => a[0] - b[0]);
      const capacity = table.capacity;
      expect(table.prune(keep, rank, capacity)).toBe(reference.size - keep);
      expect(table.capacity).toBe(capacity);
      expect([...table].sort((a, b) => a[0] - b[0])).toEqual(expected);
    }
  });
});

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
});

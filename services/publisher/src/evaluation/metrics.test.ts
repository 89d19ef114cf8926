import { createRng } from './stats.js';
import {
  averagePrecisionAt,
  caseMetrics,
  hitRateAt,
  intraListDiversity,
  ndcgAt,
  precisionAt,
  RankingAccumulator,
  recallAt,
} from './metrics.js';

const recs = ['i1', 'i2', 'i3'];
const relevant = new Set(['i1', 'i3']);

describe('ranking metrics', () => {
  it('when recs are [i1,i2,i3] and relevant is {i1,i3}, then the hand-computed values match', () => {
    // top-2 = [i1, i2]: one hit of two slots, one of two relevant items.
    expect(precisionAt(recs, relevant, 2)).toBe(0.5);
    expect(recallAt(recs, relevant, 2)).toBe(0.5);
    // AP@3 = (1/1 + 2/3) / min(2, 3) = 0.8333…
    expect(averagePrecisionAt(recs, relevant, 3)).toBeCloseTo((1 + 2 / 3) / 2, 10);
    expect(averagePrecisionAt(recs, relevant, 3)).toBeCloseTo(0.8333, 4);
    // DCG@3 = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309…; NDCG = 0.9197
    expect(ndcgAt(recs, relevant, 3)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 10);
    expect(ndcgAt(recs, relevant, 3)).toBeCloseTo(0.9197, 4);
    expect(hitRateAt(recs, relevant, 1)).toBe(1);
  });

  it('when nothing is relevant or the list is empty, then every metric is 0', () => {
    expect(caseMetrics(recs, new Set(), 3)).toEqual({ precision: 0, recall: 0, map: 0, ndcg: 0, hitrate: 0 });
    expect(caseMetrics([], relevant, 3)).toEqual({ precision: 0, recall: 0, map: 0, ndcg: 0, hitrate: 0 });
  });

  it('when the only hit is at rank 2 of k=2, then hitrate is 1 and precision is 1/2', () => {
    const m = caseMetrics(['x', 'i3'], relevant, 2);
    expect(m.hitrate).toBe(1);
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.5);
    expect(m.map).toBeCloseTo(0.5 / 2, 10);
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 10);
  });

  it('when tags are known, then diversity is the mean of 1 − Jaccard over pairs; else items are compared by id', () => {
    const tags = new Map([
      ['a', new Set(['x', 'y'])],
      ['b', new Set(['x', 'y'])],
      ['c', new Set(['y', 'z'])],
    ]);
    // pairs: a-b 0, a-c 1 − 1/3, b-c 1 − 1/3 → mean 4/9
    expect(intraListDiversity(['a', 'b', 'c'], 3, (i) => tags.get(i))).toBeCloseTo(4 / 9, 10);
    expect(intraListDiversity(['a', 'b', 'c'], 3)).toBe(1);
    expect(intraListDiversity(['a', 'a'], 2)).toBe(0);
    expect(intraListDiversity(['a'], 3)).toBeNull();
  });
});

describe('caseMetrics', () => {
  it('when given random lists, relevant sets and cut-offs, then the one-pass values equal the per-metric functions', () => {
    const rng = createRng(11);
    const pick = (n: number) => Math.floor(rng() * n);
    for (let trial = 0; trial < 500; trial++) {
      const list = Array.from({ length: pick(8) }, () => `i${pick(10)}`);
      const rel = new Set(Array.from({ length: pick(6) }, () => `i${pick(10)}`));
      const k = 1 + pick(8);
      const m = caseMetrics(list, rel, k);
      expect(m.precision).toBeCloseTo(precisionAt(list, rel, k), 12);
      expect(m.recall).toBeCloseTo(recallAt(list, rel, k), 12);
      expect(m.map).toBeCloseTo(averagePrecisionAt(list, rel, k), 12);
      expect(m.ndcg).toBeCloseTo(ndcgAt(list, rel, k), 12);
      expect(m.hitrate).toBe(hitRateAt(list, rel, k));
    }
  });
});

describe('RankingAccumulator', () => {
  it('when two lists share an item, then coverage, novelty and entropy follow the hand computation', () => {
    const acc = new RankingAccumulator(2);
    for (const list of [
      ['i1', 'i2'],
      ['i1', 'i3'],
    ]) {
      acc.add(list, new Set(), caseMetrics(list, new Set(), 2), intraListDiversity(list, 2));
    }
    const s = acc.summary(null);
    expect(s['coverage@2']).toBe(1); // 3 distinct shown / 3 seen
    expect(acc.summary(6)['coverage@2']).toBe(0.5);
    // frequencies i1 2/4, i2 1/4, i3 1/4 → (2·1 + 2 + 2) / 4 slots = 1.5 bits
    expect(s['novelty@2']).toBeCloseTo(1.5, 10);
    // entropy of (1/2, 1/4, 1/4) = 1.5 bits, normalized by log2(3)
    expect(s['entropy@2']).toBeCloseTo(1.5 / Math.log2(3), 10);
    expect(s['diversity@2']).toBe(1);
  });
});

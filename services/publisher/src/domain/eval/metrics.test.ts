import {
  compareToBaseline,
  coverageAtK,
  hitRateAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  summarize,
} from './metrics.js';

describe('ranking metrics', () => {
  const recs = ['i1', 'i2', 'i3'];
  const relevant = new Set(['i1', 'i3']);

  it('when recs are [i1,i2,i3] and relevant {i1,i3}, then precision@2 = 0.5 and recall@2 = 0.5', () => {
    expect(precisionAtK(recs, relevant, 2)).toBe(0.5);
    expect(recallAtK(recs, relevant, 2)).toBe(0.5);
  });

  it('when recs are [i1,i2,i3] and relevant {i1,i3}, then NDCG@3 = (1 + 1/log2 4) / (1 + 1/log2 3) ≈ 0.9197', () => {
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.63093
    expect(ndcgAtK(recs, relevant, 3)).toBeCloseTo(0.9197, 4);
    expect(ndcgAtK(recs, relevant, 3)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 12);
  });

  it('when k is larger than the relevant set, then recall divides by |relevant|, and HR is 1 on any hit', () => {
    expect(recallAtK(['x', 'i3'], relevant, 20)).toBe(0.5);
    expect(hitRateAtK(['x', 'i3'], relevant, 20)).toBe(1);
    expect(hitRateAtK(['x', 'y'], relevant, 20)).toBe(0);
  });

  it('when two users are recommended 3 distinct items out of a catalog of 6, then coverage is 0.5', () => {
    expect(
      coverageAtK(
        [
          ['a', 'b'],
          ['b', 'c'],
        ],
        2,
        6,
      ),
    ).toBe(0.5);
  });

  it('when summarizing, then metrics are averaged over users with relevant items only', () => {
    const summary = summarize(
      [
        { recs: ['i1', 'i2'], relevant: new Set(['i1']) }, // recall 1, ndcg 1
        { recs: ['i2', 'i1'], relevant: new Set(['i1']) }, // recall 1, ndcg 1/log2(3)
        { recs: ['i9'], relevant: new Set() }, // skipped
      ],
      2,
      4,
    );
    expect(summary.users).toBe(2);
    expect(summary.recall).toBe(1);
    expect(summary.ndcg).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12);
    expect(summary.precision).toBe(0.5);
    expect(summary.coverage).toBe(0.5);
  });

  it('when the candidate drops more than the tolerance on a gate metric, then it regresses', () => {
    const base = { k: 10, users: 5, precision: 0.2, recall: 0.5, ndcg: 0.4, hit_rate: 0.8, coverage: 0.1 };
    expect(compareToBaseline({ ...base, recall: 0.49 }, base, ['recall', 'ndcg'], 0.05).regressed).toBe(
      false,
    );
    const worse = compareToBaseline({ ...base, recall: 0.4 }, base, ['recall', 'ndcg'], 0.05);
    expect(worse.regressed).toBe(true);
    expect(worse.reasons[0]).toMatch(/^recall@10 0\.4000 < 0\.4750/);
    expect(compareToBaseline(base, null, ['recall'], 0).regressed).toBe(false);
  });
});

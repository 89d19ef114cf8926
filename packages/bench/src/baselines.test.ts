import { buildProtocol, evaluate } from './online-retail.js';
import { popularityAndBuyAgain } from './baselines.js';

describe('Online Retail protocol harness', () => {
  it('when the popularity baseline is recomputed, then it matches the published figures to 4 decimals', async () => {
    const protocol = await buildProtocol();
    expect(protocol.truth.size).toBe(1395);
    expect(protocol.trainUsers.size).toBe(4067);
    expect(protocol.trainItems.size).toBe(3624);
    const { pop, popNew } = await popularityAndBuyAgain(protocol);
    const result = evaluate(protocol, pop, 20, popNew);
    expect(result.all.recall).toBeCloseTo(0.0939, 4);
    expect(result.all.ndcg).toBeCloseTo(0.0875, 4);
    expect(result.new.recall).toBeCloseTo(0.0482, 4);
    expect(result.new.ndcg).toBeCloseTo(0.0396, 4);
  }, 60_000);

  it('scores one user by hand: recs [a,b,c], truth {a,c} → recall 1, NDCG (1 + 1/2) / (1 + 1/log2 3)', async () => {
    const { scoreUser } = await import('./online-retail.js');
    const s = scoreUser(['a', 'b', 'c'], new Set(['a', 'c']), 20);
    expect(s.recall).toBe(1);
    expect(s.ndcg).toBeCloseTo((1 + 1 / 2) / (1 + 1 / Math.log2(3)), 10);
    expect(s.hit).toBe(1);
  });
});

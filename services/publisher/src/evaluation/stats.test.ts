import {
  chiSquareSurvival,
  chiSquareTest,
  createRng,
  Moments,
  normalCdf,
  normalQuantile,
  poissonOne,
  twoSidedP,
} from './stats.js';

describe('statistics helpers', () => {
  it('when evaluating the normal distribution, then known values are reproduced', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.0005)).toBeCloseTo(-3.290527, 5);
    expect(twoSidedP(1.959964)).toBeCloseTo(0.05, 5);
  });

  it('when computing chi-square tails, then they match tables (df 1: x=3.841 → 0.05; df 3: x=7.815 → 0.05)', () => {
    expect(chiSquareSurvival(3.841459, 1)).toBeCloseTo(0.05, 5);
    expect(chiSquareSurvival(7.814728, 3)).toBeCloseTo(0.05, 5);
    expect(chiSquareSurvival(10.828, 1)).toBeCloseTo(0.001, 5);
  });

  it('when 140/60 units are observed against a 50/50 split, then chi-square = 32 and p < 0.001', () => {
    const test = chiSquareTest([140, 60], [50, 50]);
    expect(test.statistic).toBeCloseTo(32, 10); // (40²/100)·2
    expect(test.df).toBe(1);
    expect(test.p).toBeLessThan(1e-7);
    expect(chiSquareTest([50, 50], [1, 1]).p).toBeCloseTo(1, 10);
  });

  it('when seeded twice, then the generator repeats and Poisson(1) draws average about 1', () => {
    const a = createRng(7);
    const b = createRng(7);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    const rng = createRng(1);
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += poissonOne(rng);
    expect(sum / 20000).toBeGreaterThan(0.97);
    expect(sum / 20000).toBeLessThan(1.03);
  });

  it('when adding values, then Moments gives the mean and the unbiased variance', () => {
    const m = new Moments();
    for (const v of [1, 2, 3, 4]) m.add(v);
    expect(m.mean).toBe(2.5);
    expect(m.variance).toBeCloseTo(5 / 3, 12);
  });
});

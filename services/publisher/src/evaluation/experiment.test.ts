import { compare, parseGuardrails, parseSplit } from './experiment.js';
import { Moments } from './stats.js';

function binary(ones: number, n: number): Moments {
  const m = new Moments();
  for (let i = 0; i < n; i++) m.add(i < ones ? 1 : 0);
  return m;
}

describe('experiment helpers', () => {
  it('when parsing guardrails, then relative and bound forms are recognized and unknown metrics refused', () => {
    expect(parseGuardrails('revenue_per_exposure:0.05, empty_rate<=0.1,ctr>=0.01')).toEqual([
      {
        spec: 'revenue_per_exposure:0.05',
        metric: 'revenue_per_exposure',
        type: 'relative',
        tolerance: 0.05,
      },
      { spec: 'empty_rate<=0.1', metric: 'empty_rate', type: 'max', threshold: 0.1 },
      { spec: 'ctr>=0.01', metric: 'ctr', type: 'min', threshold: 0.01 },
    ]);
    expect(() => parseGuardrails('latency:0.1')).toThrow(/cannot parse/);
  });

  it('when parsing a split, then the order and weights are kept', () => {
    expect(parseSplit('A=50,B=50')).toEqual([
      ['A', 50],
      ['B', 50],
    ]);
    expect(() => parseSplit('A:50')).toThrow(/cannot parse/);
  });

  it('when comparing 10% with 30% CTR on 100 exposures each, then diff, lift and p follow the delta method', () => {
    const control = binary(10, 100);
    const variant = binary(30, 100);
    const result = compare(control, variant, 0.05);
    const varC = (0.1 * 0.9 * 100) / 99 / 100;
    const varV = (0.3 * 0.7 * 100) / 99 / 100;
    const se = Math.sqrt(varC + varV);
    expect(result.diff.value).toBeCloseTo(0.2, 10);
    expect(result.diff.lo).toBeCloseTo(0.2 - 1.959964 * se, 5);
    expect(result.z).toBeCloseTo(0.2 / se, 6);
    expect(result.relative_lift!.value).toBeCloseTo(2, 10);
    const seRel = Math.sqrt(varV / 0.01 + (0.09 * varC) / 0.0001);
    expect(result.relative_lift!.hi).toBeCloseTo(2 + 1.959964 * seRel, 4);
    expect(result.significant).toBe(true);
  });

  it('when both variants are identical, then the difference is 0 and not significant', () => {
    const result = compare(binary(10, 100), binary(10, 100), 0.05);
    expect(result.diff.value).toBe(0);
    expect(result.p_value).toBeCloseTo(1, 6);
    expect(result.significant).toBe(false);
  });
});

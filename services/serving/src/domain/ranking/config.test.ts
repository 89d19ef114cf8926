import { defaultRankingConfig, mergeRankingConfig, parseAlgorithmMode } from './config.js';
import type { TenantConfigDoc } from './config.js';

describe('defaultRankingConfig', () => {
  it('when nothing is configured, then history is the strongest signal, i2i next, repeats allowed', () => {
    const c = defaultRankingConfig();
    const w = c.weights;
    expect(c.mode).toBe('blend');
    expect(c.allowRepeats).toBe(true);
    for (const other of [w.i2i!, w.cooc, w.pop, w.content!, w.session!])
      expect(w.history).toBeGreaterThan(other);
    for (const other of [w.cooc, w.pop, w.content!, w.session!]) expect(w.i2i).toBeGreaterThan(other);
    // an owned item (≥ floor × history) out-ranks a new item that is at most average on every other signal
    expect(c.historyFloor! * w.history!).toBeGreaterThan(
      (w.i2i! + w.cooc + w.pop + w.content! + w.session!) / 3,
    );
    expect(w.pop).toBeGreaterThan(0);
    expect(c.coocSeeds).toBe('context');
    expect(c.maxPins).toBe(3);
    expect(c.normalization).toBe('max');
  });

  it('when called twice, then each call returns a fresh object', () => {
    const a = defaultRankingConfig();
    a.weights.pop = 99;
    expect(defaultRankingConfig().weights.pop).not.toBe(99);
  });
});

describe('mergeRankingConfig', () => {
  const tenant: TenantConfigDoc = {
    weights: { pop: 1, cooc: 0.5, emb: 0.2 },
    algo: 'blend',
    ranking: { max_pins: 5, mmr_lambda: 0.7, allow_repeats: false, fanout: 300 },
    surfaces: {
      pdp: { weights: { pop: 0.1, cooc: 2, emb: 0 }, ranking: { mmr_lambda: 0 } },
      Email: { algo: 'popularity' },
    },
  };

  it('when only the tenant config is set, then its keys override the base per key', () => {
    const base = defaultRankingConfig();
    const c = mergeRankingConfig(base, tenant, 'home');
    expect(c.weights).toEqual({ ...base.weights, pop: 1, cooc: 0.5, emb: 0.2 });
    expect(c).toMatchObject({ maxPins: 5, mmrLambda: 0.7, allowRepeats: false, fanout: 300, mode: 'blend' });
    expect(base.weights.pop).toBe(0.15);
  });

  it('when the surface has overrides, then they win over the tenant level (surface match exact, then case-insensitive)', () => {
    const c = mergeRankingConfig(defaultRankingConfig(), tenant, 'pdp');
    expect(c.weights).toMatchObject({ pop: 0.1, cooc: 2, emb: 0 });
    expect(c.mmrLambda).toBe(0);
    expect(c.maxPins).toBe(5);
    expect(mergeRankingConfig(defaultRankingConfig(), tenant, 'email').mode).toBe('popularity');
  });

  it('when variant overrides and request weights are given, then the request wins over the variant', () => {
    const c = mergeRankingConfig(
      defaultRankingConfig(),
      tenant,
      'pdp',
      { cooc: 0.3, history: 0 },
      { weights: { cooc: 9, i2i: 0.9 }, algo: 'implicit', ranking: { allow_repeats: true } },
    );
    expect(c.weights).toMatchObject({ pop: 0.1, cooc: 0.3, i2i: 0.9, history: 0 });
    expect(c.mode).toBe('implicit');
    expect(c.allowRepeats).toBe(true);
  });

  it('when values are invalid, then negatives clamp to 0, non-finite values are ignored, options clamp', () => {
    const c = mergeRankingConfig(
      defaultRankingConfig(),
      {
        weights: { pop: -1, cooc: Number.NaN } as never,
        ranking: {
          max_pins: 0,
          mmr_lambda: 3,
          fanout: 1e9,
          history_floor: -2,
          normalization: 'bogus' as never,
        },
      },
      'home',
    );
    expect(c.weights.pop).toBe(0); // negative clamped to 0 (reference)
    expect(c.weights.cooc).toBe(0.15); // non-finite ignored
    expect(c).toMatchObject({
      maxPins: 3,
      mmrLambda: 1,
      fanout: 2000,
      historyFloor: 0,
      normalization: 'max',
    });
    expect(mergeRankingConfig(defaultRankingConfig(), null, 'home')).toEqual(defaultRankingConfig());
  });

  it('when tag prefixes are configured, then they are trimmed and lower-cased', () => {
    const c = mergeRankingConfig(
      defaultRankingConfig(),
      { ranking: { brand_tag_prefixes: [' Maker:', ''], category_tag_prefixes: ['cat:'] } },
      'home',
    );
    expect(c.brandTagPrefixes).toEqual(['maker:']);
    expect(c.categoryTagPrefixes).toEqual(['cat:']);
  });
});

describe('parseAlgorithmMode', () => {
  it('when algo is known, then it maps; unknown non-empty values mean blend', () => {
    expect(parseAlgorithmMode('POPULARITY')).toBe('popularity');
    expect(parseAlgorithmMode('content_sim')).toBe('blend');
    expect(parseAlgorithmMode('')).toBeUndefined();
    expect(parseAlgorithmMode(3)).toBeUndefined();
  });
});

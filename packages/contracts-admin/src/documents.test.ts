import { ControlEvent, normalizeRules, RulesDocument, TenantConfig, canonicalJson } from './index.js';

describe('TenantConfig', () => {
  it('when weights are negative, then the issue points at the weight', () => {
    const result = TenantConfig.safeParse({ weights: { pop: -1 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['weights', 'pop']);
  });

  it('when unknown keys are present, then they are kept', () => {
    const config = TenantConfig.parse({ weights: { pop: 1 }, custom: { a: 1 } });
    expect(config).toEqual({ weights: { pop: 1 }, custom: { a: 1 } });
  });

  it('when an experiment has duplicate variants or bad traffic, then each issue has its path', () => {
    const result = TenantConfig.safeParse({
      experiments: [
        {
          id: 'e1',
          enabled: true,
          traffic_percent: 120,
          variants: [
            { name: 'A', weight: 1 },
            { name: 'A', weight: 1 },
          ],
        },
      ],
    });
    const paths = result.error!.issues.map((i) => i.path.join('/'));
    expect(paths).toEqual(expect.arrayContaining(['experiments/0/traffic_percent']));
    const dup = TenantConfig.safeParse({
      experiments: [
        {
          id: 'e1',
          enabled: true,
          variants: [
            { name: 'A', weight: 1 },
            { name: 'A', weight: 1 },
          ],
        },
      ],
    });
    expect(dup.error!.issues.map((i) => i.path.join('/'))).toEqual(['experiments/0/variants/1/name']);
  });

  it('when per-surface overrides are given, then they are validated too', () => {
    const result = TenantConfig.safeParse({ surfaces: { home: { algo: 'nope' } } });
    expect(result.error!.issues[0]!.path).toEqual(['surfaces', 'home', 'algo']);
  });
});

describe('RulesDocument and normalizeRules', () => {
  const rules = [
    { action: 'PIN', target_type: 'item', item_ids: ['a', 'b', 'a'], surface: 'home', priority: 10 },
    { action: 'block', target_type: 'tag', target_key: 'brand:nike' },
  ];

  it('when given an array or {rules}, then both normalise to the same list with deterministic ids', () => {
    const a = normalizeRules(rules);
    const b = normalizeRules({ rules });
    expect(a).toEqual(b);
    expect(a[0]).toMatchObject({ action: 'pin', item_ids: ['a', 'b'], priority: 10, enabled: true });
    expect(a[1]).toMatchObject({ action: 'block', target_key: 'brand:nike', item_ids: [], priority: 0 });
    expect(a[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a[0]!.id).not.toBe(a[1]!.id);
  });

  it('when a rule carries an id, then it is kept', () => {
    expect(normalizeRules([{ ...rules[1], id: 'r1' }])[0]!.id).toBe('r1');
  });

  it('when a tag rule lacks target_key or a boost lacks a value, then the issue points at the field', () => {
    const r = RulesDocument.safeParse([{ action: 'boost', target_type: 'tag' }]);
    const paths = r.error!.issues.map((i) => i.path.join('/'));
    expect(paths).toEqual(expect.arrayContaining(['0/target_key', '0/boost_value']));
  });

  it('when the schedule ends before it starts, then ends_at is reported', () => {
    const r = RulesDocument.safeParse([
      {
        action: 'block',
        target_type: 'item',
        item_ids: ['x'],
        starts_at: '2026-02-01T00:00:00Z',
        ends_at: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(r.error!.issues.map((i) => i.path.join('/'))).toEqual(['0/ends_at']);
  });
});

describe('ControlEvent', () => {
  it('when parsing each event type, then the discriminator selects the shape', () => {
    const at = new Date().toISOString();
    expect(ControlEvent.parse({ type: 'config.updated', tenant_id: 't', version: 'v', at }).type).toBe(
      'config.updated',
    );
    expect(ControlEvent.safeParse({ type: 'key.revoked', tenant_id: 't', at }).success).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('when keys are in a different order, then the canonical text is the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: 3 } })).toBe(
      canonicalJson({ a: { c: 3, d: [2, { x: 2, y: 1 }] }, b: 1 }),
    );
  });
});

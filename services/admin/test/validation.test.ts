/**
 * Every config and rules field the control plane validates, over HTTP: PUT answers 422 with the document's
 * code and a JSON pointer to the bad field, the dry run answers the same, and nothing is stored.
 */
import { startAdmin, tenantWithKey, type TestAdmin } from './helpers.js';

const variant = (name = 'A', weight = 1, extra: Record<string, unknown> = {}) => ({ name, weight, ...extra });
const experiment = (extra: Record<string, unknown> = {}) => ({ id: 'exp', variants: [variant()], ...extra });
const rule = (extra: Record<string, unknown> = {}) => ({
  action: 'pin',
  target_type: 'item',
  item_ids: ['i1'],
  ...extra,
});

/** [what, document, pointer of the bad field] */
const INVALID_CONFIGS: [string, unknown, string][] = [
  ['negative pop weight', { weights: { pop: -1 } }, '/weights/pop'],
  ['negative cooc weight', { weights: { cooc: -0.1 } }, '/weights/cooc'],
  ['negative emb weight', { weights: { emb: -2 } }, '/weights/emb'],
  ['non-numeric weight', { weights: { pop: 'high' } }, '/weights/pop'],
  ['negative limits.max_k', { limits: { max_k: -1 } }, '/limits/max_k'],
  ['fractional limits.max_k', { limits: { max_k: 1.5 } }, '/limits/max_k'],
  ['negative limits.max_exclude_ids', { limits: { max_exclude_ids: -3 } }, '/limits/max_exclude_ids'],
  ['unknown algorithm mode', { algo: 'magic' }, '/algo'],
  ['negative ranking.max_pins', { ranking: { max_pins: -1 } }, '/ranking/max_pins'],
  ['mmr_lambda above 1', { ranking: { mmr_lambda: 1.5 } }, '/ranking/mmr_lambda'],
  ['fanout 0', { ranking: { fanout: 0 } }, '/ranking/fanout'],
  [
    'surface override: negative weight',
    { surfaces: { home: { weights: { pop: -1 } } } },
    '/surfaces/home/weights/pop',
  ],
  ['surface override: unknown algo', { surfaces: { home: { algo: 'magic' } } }, '/surfaces/home/algo'],
  [
    'surface override: negative max_pins',
    { surfaces: { home: { ranking: { max_pins: -1 } } } },
    '/surfaces/home/ranking/max_pins',
  ],
  ['surfaces not an object', { surfaces: ['home'] }, '/surfaces'],
  ['experiments not an array', { experiments: {} }, '/experiments'],
  ['experiment without id', { experiments: [{ variants: [variant()] }] }, '/experiments/0/id'],
  ['experiment with empty id', { experiments: [experiment({ id: ' ' })] }, '/experiments/0/id'],
  ['duplicate experiment id', { experiments: [experiment(), experiment()] }, '/experiments/1/id'],
  ['experiment without variants', { experiments: [{ id: 'exp' }] }, '/experiments/0/variants'],
  ['experiment with no variants', { experiments: [experiment({ variants: [] })] }, '/experiments/0/variants'],
  [
    'variant without a name',
    { experiments: [experiment({ variants: [{ weight: 1 }] })] },
    '/experiments/0/variants/0/name',
  ],
  [
    'duplicate variant name',
    { experiments: [experiment({ variants: [variant('A'), variant('A')] })] },
    '/experiments/0/variants/1/name',
  ],
  [
    'negative variant weight (traffic split)',
    { experiments: [experiment({ variants: [variant('A', -1)] })] },
    '/experiments/0/variants/0/weight',
  ],
  [
    'every variant weight 0 (no traffic split)',
    { experiments: [experiment({ variants: [variant('A', 0), variant('B', 0)] })] },
    '/experiments/0/variants',
  ],
  [
    'traffic_percent above 100',
    { experiments: [experiment({ traffic_percent: 101 })] },
    '/experiments/0/traffic_percent',
  ],
  [
    'negative traffic_percent',
    { experiments: [experiment({ traffic_percent: -1 })] },
    '/experiments/0/traffic_percent',
  ],
  [
    'variant override: negative weight',
    { experiments: [experiment({ variants: [variant('A', 1, { overrides: { weights: { emb: -1 } } })] })] },
    '/experiments/0/variants/0/overrides/weights/emb',
  ],
  [
    'experiment ends before it starts',
    {
      experiments: [experiment({ starts_at: '2030-02-01T00:00:00Z', ends_at: '2030-01-01T00:00:00Z' })],
    },
    '/experiments/0/ends_at',
  ],
  [
    'experiment start not a timestamp',
    { experiments: [experiment({ starts_at: 'next monday' })] },
    '/experiments/0/starts_at',
  ],
  ['flags not an object', { flags: ['a'] }, '/flags'],
  ['config an array', [{ weights: { pop: 1 } }], ''],
];

const INVALID_RULES: [string, unknown, string][] = [
  ['unknown action', [rule({ action: 'promote' })], '/0/action'],
  ['missing action', [{ target_type: 'item', item_ids: ['i1'] }], '/0/action'],
  ['unknown target type', [rule({ target_type: 'sku' })], '/0/target_type'],
  ['item rule without items', [{ action: 'block', target_type: 'item' }], '/0/item_ids'],
  ['empty item id', [rule({ item_ids: [' '] })], '/0/item_ids/0'],
  ['tag rule without target_key', [{ action: 'block', target_type: 'tag' }], '/0/target_key'],
  ['brand rule without target_key', [{ action: 'pin', target_type: 'brand' }], '/0/target_key'],
  ['category rule without target_key', [{ action: 'block', target_type: 'category' }], '/0/target_key'],
  ['boost without boost_value', [{ action: 'boost', target_type: 'tag', target_key: 't' }], '/0/boost_value'],
  [
    'boost_value on a block',
    [{ action: 'block', target_type: 'tag', target_key: 't', boost_value: 2 }],
    '/0/boost_value',
  ],
  ['surface not a string', [rule({ surface: 7 })], '/0/surface'],
  ['fractional priority', [rule({ priority: 1.5 })], '/0/priority'],
  ['priority not a number', [rule({ priority: 'high' })], '/0/priority'],
  ['start not a timestamp', [rule({ starts_at: 'tomorrow' })], '/0/starts_at'],
  ['end not a timestamp', [rule({ ends_at: '2030-13-45' })], '/0/ends_at'],
  [
    'schedule ends before it starts',
    [rule({ starts_at: '2030-02-01T00:00:00Z', ends_at: '2030-01-01T00:00:00Z' })],
    '/0/ends_at',
  ],
  ['max_pins 0', [rule({ max_pins: 0 })], '/0/max_pins'],
  ['fractional max_pins', [rule({ max_pins: 2.5 })], '/0/max_pins'],
  [
    'max_pins on a boost',
    [{ action: 'boost', target_type: 'tag', target_key: 't', boost_value: 1, max_pins: 2 }],
    '/0/max_pins',
  ],
  ['enabled not a boolean', [rule({ enabled: 'yes' })], '/0/enabled'],
  ['second rule of an object document', { rules: [rule(), rule({ action: 'x' })] }, '/rules/1/action'],
  ['rules not an array', { rules: 'pin everything' }, '/rules'],
  ['a string document', 'pin everything', ''],
];

describe('config and rules validation: 422 with a pointer for every field', () => {
  let admin: TestAdmin;
  let op: Record<string, string>;

  beforeAll(async () => {
    admin = await startAdmin();
    op = { 'x-api-key': await tenantWithKey(admin, 'val', ['operator']) };
  });
  afterAll(() => admin.close());

  const check = async (kind: 'config' | 'rules', cases: [string, unknown, string][]) => {
    const code = kind === 'config' ? 'RECSYS_INVALID_CONFIG' : 'RECSYS_INVALID_RULES';
    for (const [what, body, pointer] of cases) {
      for (const [method, path] of [
        ['PUT', `/v1/admin/tenants/val/${kind}`],
        ['POST', `/v1/admin/tenants/val/${kind}/validate`],
      ] as const) {
        const res = await admin.call(method, path, { headers: op, raw: JSON.stringify(body) });
        expect({ what, method, status: res.status, code: res.body?.code }).toEqual({
          what,
          method,
          status: 422,
          code,
        });
        const pointers = (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
        expect({ what, method, pointers }).toEqual({
          what,
          method,
          pointers: expect.arrayContaining([pointer]),
        });
        expect(res.body.detail).toContain(pointer ? pointer : '');
      }
    }
  };

  it('when a config field is invalid, then PUT and the dry run answer 422 RECSYS_INVALID_CONFIG pointing at it, and nothing is stored', async () => {
    await check('config', INVALID_CONFIGS);
    const stored = await admin.schema.query('select count(*)::int as n from config_versions');
    expect(stored.rows[0].n).toBe(0);
    expect((await admin.controlEvents()).length).toBe(0);
  });

  it('when a rules field is invalid, then PUT and the dry run answer 422 RECSYS_INVALID_RULES pointing at it, and nothing is stored', async () => {
    await check('rules', INVALID_RULES);
    const stored = await admin.schema.query('select count(*)::int as n from rules_versions');
    expect(stored.rows[0].n).toBe(0);
    expect((await admin.controlEvents()).length).toBe(0);
  });

  it('when every validated field is set to a valid value, then PUT accepts it (the invalid cases fail only on their bad field)', async () => {
    const config = {
      weights: { pop: 0.5, cooc: 0.3, emb: 0.2, i2i: 0, content: 0, session: 0, history: 0 },
      algo: 'blend',
      flags: { enable_rules: true },
      limits: { max_k: 100, max_exclude_ids: 50 },
      ranking: { max_pins: 0, mmr_lambda: 1, allow_repeats: false, fanout: 1 },
      surfaces: { home: { weights: { pop: 1 }, algo: 'popularity', ranking: { max_pins: 2 } } },
      experiments: [
        {
          id: 'exp',
          enabled: true,
          surface: 'home',
          traffic_percent: 50,
          variants: [variant('A', 0), variant('B', 3, { overrides: { weights: { emb: 1 }, algo: 'cooc' } })],
          starts_at: '2030-01-01T00:00:00Z',
          ends_at: '2030-02-01T00:00:00Z',
        },
      ],
    };
    expect(
      (await admin.call('PUT', '/v1/admin/tenants/val/config', { headers: op, body: config })).status,
    ).toBe(200);
    const rules = [
      rule({
        surface: 'home',
        priority: -2,
        max_pins: 1,
        starts_at: '2030-01-01T00:00:00Z',
        ends_at: '2030-01-02T00:00:00.5Z',
      }),
      { action: 'Boost', target_type: 'BRAND', target_key: 'acme', boost_value: -0.5 },
      { action: 'block', target_type: 'category', target_key: 'shoes', enabled: false },
      { action: 'block', target_type: 'tag', target_key: 'sale', starts_at: '2030-01-01T00:00:00+02:00' },
    ];
    const put = await admin.call('PUT', '/v1/admin/tenants/val/rules', { headers: op, body: rules });
    expect(put.status).toBe(200);
    expect(put.body.rules).toEqual(rules);
  });

  it('when documents are dry-run, then the normalized document and warnings come back, and nothing is saved or published', async () => {
    const before = {
      config: (await admin.call('GET', '/v1/admin/tenants/val/config', { headers: op })).body.config_version,
      rules: (await admin.call('GET', '/v1/admin/tenants/val/rules', { headers: op })).body.rules_version,
      events: (await admin.controlEvents()).length,
      audit: (await admin.schema.query('select count(*)::int as n from audit_log')).rows[0].n,
    };

    const config = await admin.call('POST', '/v1/admin/tenants/val/config/validate', {
      headers: op,
      body: {
        weights: { pop: 1, popularity: 2 },
        surfaces: { home: { weights: { cooc: 1 }, limits: { max_k: 5 } } },
        experiments: [
          {
            id: 'old',
            enabled: true,
            traffic_percent: 0,
            ends_at: '2020-01-01T00:00:00Z',
            variants: [variant('A', 1, { overrides: { weights: { embeddings: 1 } } })],
          },
        ],
      },
    });
    expect(config.status).toBe(200);
    expect(config.body.valid).toBe(true);
    expect(config.body.warnings).toEqual(
      expect.arrayContaining([
        '/weights/popularity: unknown signal has no effect',
        '/surfaces/home/limits: not an override (weights, algo, ranking)',
        '/experiments/0/variants/0/overrides/weights/embeddings: unknown signal has no effect',
        '/experiments/0: has already ended',
        '/experiments/0: enabled with 0% traffic',
      ]),
    );

    const rules = await admin.call('POST', '/v1/admin/tenants/val/rules/validate', {
      headers: op,
      body: {
        rules: [
          { id: 'r1', action: 'PIN', target_type: 'Item', target_key: 'i9', ends_at: '2020-01-01T00:00:00Z' },
          { id: 'r1', action: 'boost', target_type: 'tag', target_key: 'x', boost_value: 0, enabled: false },
          { action: 'block', target_type: 'item', item_ids: ['a', 'a', 'b'] },
        ],
      },
    });
    expect(rules.status).toBe(200);
    expect(rules.body.rules[0]).toEqual({
      id: 'r1',
      action: 'pin',
      target_type: 'item',
      item_ids: ['i9'],
      priority: 0,
      ends_at: '2020-01-01T00:00:00Z',
      enabled: true,
    });
    expect(rules.body.rules[2].item_ids).toEqual(['a', 'b']);
    expect(rules.body.rules[2].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rules.body.warnings).toEqual([
      '/rules/0: schedule has already ended',
      '/rules/1: disabled',
      '/rules/1: boost_value 0 has no effect',
      '/rules/1: same id as /rules/0 (r1)',
    ]);

    expect(
      (await admin.call('GET', '/v1/admin/tenants/val/config', { headers: op })).body.config_version,
    ).toBe(before.config);
    expect((await admin.call('GET', '/v1/admin/tenants/val/rules', { headers: op })).body.rules_version).toBe(
      before.rules,
    );
    expect((await admin.controlEvents()).length).toBe(before.events);
    expect((await admin.schema.query('select count(*)::int as n from audit_log')).rows[0].n).toBe(
      before.audit,
    );

    const unknownTenant = await admin.call('POST', '/v1/admin/tenants/ghost/rules/validate', {
      headers: admin.service,
      body: [],
    });
    expect(unknownTenant.status).toBe(404);
  });
});

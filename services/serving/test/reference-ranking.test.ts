import { startAdminStub, type AdminStub } from './admin-stub.js';
import {
  artifactsFor,
  devHeaders,
  ids,
  manifestFor,
  post,
  publishVersion,
  SERVICE_TOKEN,
  startServing,
  type Serving,
} from './harness.js';

/** Popularity-only ranking with the reference's saturating normalization: score = w·s/(s+1). */
const POPULARITY_ONLY = {
  weights: { pop: 1, cooc: 0, emb: 0 },
  algo: 'popularity',
  ranking: { normalization: 'saturating' },
};
const sat = (s: number) => s / (s + 1);

const POP = { a: 9, b: 4, c: 1, d: 3, e: 5, f: 2, g: 7 };
const CATALOG = {
  a: { tags: ['shoes'] },
  b: { tags: ['shoes'] },
  c: { tags: ['hats'] },
  d: { tags: ['Shoes'] },
  e: { tags: [] },
  f: { tags: ['socks'] },
  g: { tags: ['shoes'] },
};

/**
 * Reference §9.2 serving 7–10 (decayed popularity, rules, candidates, constraints) and the reference's tutorial
 * smoke (§9.1), through the real app: config and rules from admin's runtime contract, signals bulk-loaded.
 */
describe('reference ranking acceptance over HTTP (§9.2 serving 7–10)', () => {
  let admin: AdminStub;
  let serving: Serving;
  const rec = (tenant: string, body: Record<string, unknown>) =>
    post(
      `${serving.url}/v1/recommend`,
      { surface: 'home', user: { user_id: 'u_1' }, ...body },
      devHeaders(tenant),
    );
  const codes = (body: any): string[] => (body.warnings ?? []).map((w: any) => w.code);

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set('tut', {
      status: 'active',
      config: {
        version: 'tut-cfg',
        document: {
          ...POPULARITY_ONLY,
          flags: { enable_rules: true },
          limits: { max_k: 50, max_exclude_ids: 200 },
        },
      },
      rules: {
        version: 'tut-rules',
        document: [
          { action: 'pin', target_type: 'item', item_ids: ['item_3'], surface: 'home', priority: 10 },
        ],
      },
    });
    admin.tenants.set('ref', {
      status: 'active',
      config: { version: 'ref-cfg', document: POPULARITY_ONLY },
      rules: {
        version: 'ref-rules',
        document: {
          rules: [
            {
              id: 'pin-e',
              action: 'pin',
              target_type: 'item',
              item_ids: ['e'],
              surface: 'home',
              priority: 100,
            },
            {
              id: 'block-e',
              action: 'block',
              target_type: 'item',
              item_ids: ['e'],
              surface: 'home',
              priority: 50,
            },
            {
              id: 'pin-c',
              action: 'pin',
              target_type: 'item',
              item_ids: ['c'],
              surface: 'home',
              priority: 10,
            },
            {
              id: 'pin-zz',
              action: 'pin',
              target_type: 'item',
              item_ids: ['zz'],
              surface: 'home',
              priority: 9,
            },
            {
              id: 'pin-fg',
              action: 'pin',
              target_type: 'item',
              item_ids: ['f', 'g'],
              surface: 'home',
              priority: 8,
            },
            {
              id: 'pin-a-expired',
              action: 'pin',
              target_type: 'item',
              item_ids: ['a'],
              surface: 'home',
              priority: 200,
              starts_at: '2020-01-01T00:00:00Z',
              ends_at: '2020-02-01T00:00:00Z',
            },
            {
              id: 'block-b',
              action: 'block',
              target_type: 'item',
              item_ids: ['b'],
              surface: 'home',
              priority: 1,
            },
            {
              id: 'boost-d',
              action: 'boost',
              target_type: 'item',
              item_ids: ['d'],
              surface: 'home',
              boost_value: 1,
            },
            {
              id: 'boost-new',
              action: 'boost',
              target_type: 'item',
              item_ids: ['new'],
              surface: 'home',
              boost_value: 0.5,
            },
          ],
        },
      },
    });
    serving = await startServing({ ADMIN_URL: admin.url });

    await publishVersion(serving, { tenant: 'tut', surface: 'home' }, 't1', {
      popularity: { item_1: 10, item_2: 7, item_3: 3 },
      catalog: {
        item_1: { tags: ['brand:nike', 'category:shoes'] },
        item_2: { tags: ['brand:nike', 'category:shoes'] },
        item_3: { tags: ['brand:acme', 'category:socks'] },
      },
    });
    for (const surface of ['home', 'plain']) {
      await publishVersion(serving, { tenant: 'ref', surface }, 'r1', { popularity: POP, catalog: CATALOG });
    }
    await publishVersion(serving, { tenant: 'ref', surface: 'default' }, 'rd', { popularity: { fb: 2 } });

    // The publisher's popularity artifact: `score` is time-decayed (Σ weight·0.5^(age/half-life)), `count` raw.
    // "old" had 12 events three half-lives ago (12·0.125 = 1.5); "fresh" 3 events today.
    const doc = artifactsFor('ref', 'decay', 'default', { popularity: { old: 1.5, fresh: 3 } }) as any;
    doc.popularity.items = [
      { item_id: 'old', score: 1.5, count: 12 },
      { item_id: 'fresh', score: 3, count: 3 },
    ];
    const base = `${serving.url}/internal/v1/signals/ref/decay/default/versions/d1`;
    const headers = { 'content-type': 'application/json', 'X-Service-Token': SERVICE_TOKEN };
    const put = await fetch(base, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ manifest: manifestFor('ref', 'decay', 'default', 'd1'), artifacts: doc }),
    });
    expect(put.status).toBe(201);
    expect((await fetch(`${base}/activate`, { method: 'POST', headers })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await serving.close();
    await admin.close();
  });

  it('when the tutorial smoke runs (pop-only tenant weights, pin item_3 on home), then item_3 comes first and the rest follow s/(s+1)', async () => {
    const res = await rec('tut', { k: 5, user: { user_id: 'u_1', session_id: 's_1' } });
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['item_3', 'item_1', 'item_2']);
    const scores = res.body.items.map((i: any) => i.score);
    expect(scores[0]).toBeCloseTo(0.75, 10);
    expect(scores[1]).toBeCloseTo(10 / 11, 10);
    expect(scores[2]).toBeCloseTo(7 / 8, 10);
    expect(res.body.meta).toMatchObject({
      config_version: 'tut-cfg',
      rules_version: 'tut-rules',
      algo_version: 'recsys-algo@local:popularity',
    });
  });

  it('when popularity is served, then the time-decayed score ranks (not the raw count), score = s/(s+1), and an unpublished surface falls back to surface default', async () => {
    const decayed = await rec('ref', { surface: 'decay', k: 5, options: { include_reasons: true } });
    expect(ids(decayed.body)).toEqual(['fresh', 'old']);
    expect(decayed.body.items[0].score).toBeCloseTo(sat(3), 10);
    expect(decayed.body.items[1].score).toBeCloseTo(sat(1.5), 10);
    expect(decayed.body.items[0].reasons).toEqual(['recent_popularity']);

    const fallback = await rec('ref', { surface: 'pdp', k: 5 });
    expect(fallback.status).toBe(200);
    expect(ids(fallback.body)).toEqual(['fb']);
    expect(fallback.body.meta).toMatchObject({ surface: 'pdp', signal_version: 'rd' });
  });

  it('when rules apply, then pins come first in pin order (one outside the pool at score 0, at most 3), block removes and beats pin, boost multiplies or injects at boost_value, expired rules do nothing', async () => {
    const res = await rec('ref', { k: 10, options: { include_reasons: true } });
    expect(res.status).toBe(200);
    // pins: c, zz (not a candidate), f — the global cap of 3 leaves g unpinned; e is pinned then blocked.
    expect(ids(res.body)).toEqual(['c', 'zz', 'f', 'd', 'a', 'g', 'new']);
    const score = (id: string) => res.body.items.find((i: any) => i.item_id === id).score;
    const reasons = (id: string) => res.body.items.find((i: any) => i.item_id === id).reasons ?? [];
    expect(score('c')).toBeCloseTo(sat(1), 10);
    expect(score('zz')).toBe(0);
    expect(score('f')).toBeCloseTo(sat(2), 10);
    expect(score('d')).toBeCloseTo(2 * sat(3), 10);
    expect(score('a')).toBeCloseTo(sat(9), 10);
    expect(score('g')).toBeCloseTo(sat(7), 10);
    expect(score('new')).toBeCloseTo(0.5, 10);
    expect(reasons('c')).toContain('rule.pin[pin-c]');
    expect(reasons('d')).toContain('rule.boost:+1.00[boost-d]');
    expect(reasons('new')).toContain('rule.boost:+0.50[boost-new]');
    expect(reasons('a').some((r: string) => r.startsWith('rule.'))).toBe(false);
    expect(res.body.items.map((i: any) => i.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    // Rules are scoped: the same snapshot on another surface ranks by popularity alone.
    const plain = await rec('ref', { surface: 'plain', k: 3 });
    expect(ids(plain.body)).toEqual(['a', 'g', 'e']);
  });

  it('when candidates are given, then exclude_ids never come back (k back-filled) and include_ids is an allow-list that injects its items', async () => {
    const excluded = await rec('ref', { surface: 'plain', k: 3, candidates: { exclude_ids: ['a', 'g'] } });
    expect(ids(excluded.body)).toEqual(['e', 'b', 'd']);

    const allowed = await rec('ref', {
      surface: 'plain',
      k: 5,
      candidates: { include_ids: ['c', 'unknown-x', 'b'], exclude_ids: ['b'] },
    });
    expect(ids(allowed.body)).toEqual(['c', 'unknown-x']);
    expect(codes(allowed.body)).toContain('CANDIDATES_INCLUDE_FILTERED');

    const none = await rec('ref', {
      surface: 'plain',
      k: 5,
      candidates: { include_ids: ['b'], exclude_ids: ['b'] },
    });
    expect(none.body.items).toEqual([]);
    expect(codes(none.body)).toContain('CANDIDATES_INCLUDE_EMPTY');
  });

  it('when tag constraints are given, then forbidden_tags and max_per_tag remove items with CONSTRAINTS_FILTERED and the list back-fills; required_tags drops untagged items', async () => {
    const forbidden = await rec('ref', {
      surface: 'plain',
      k: 3,
      constraints: { forbidden_tags: ['SHOES'] },
    });
    expect(ids(forbidden.body)).toEqual(['e', 'f', 'c']);
    const filtered = forbidden.body.warnings.find((w: any) => w.code === 'CONSTRAINTS_FILTERED');
    expect(filtered.detail).toMatch(/items removed by tag constraints .*forbidden_tags: [1-9]/);

    const capped = await rec('ref', { surface: 'plain', k: 3, constraints: { max_per_tag: { shoes: 1 } } });
    expect(ids(capped.body)).toEqual(['a', 'e', 'f']);
    expect(codes(capped.body)).toContain('CONSTRAINTS_FILTERED');

    const required = await rec('ref', {
      surface: 'plain',
      k: 3,
      constraints: { required_tags: ['hats', 'socks'] },
    });
    expect(ids(required.body)).toEqual(['f', 'c']);
  });
});

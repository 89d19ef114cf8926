import { ExposureEvent } from '@recsys/contracts-serving';
import { waitFor } from '@recsys/testing';
import { startAdminStub, type AdminStub } from './admin-stub.js';
import {
  devHeaders,
  ids,
  post,
  publishVersion,
  SERVICE_TOKEN,
  startServing,
  type Serving,
} from './harness.js';

const T = 'acme';

describe('serving /v1/recommend, /v1/recommend/validate, /v1/similar (reference §9.2 serving 1–5, 11)', () => {
  let admin: AdminStub;
  let serving: Serving;
  const h = (roles: string[] = [], extra: Record<string, string> = {}) => devHeaders(T, roles, extra);
  const rec = (body: unknown, headers: Record<string, string> = h()) =>
    post(`${serving.url}/v1/recommend`, body, headers);
  const minimal = { surface: 'home', user: { user_id: 'u1' } };

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    serving = await startServing({ ADMIN_URL: admin.url });
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v1', {
      popularity: { a: 10, b: 5, c: 5, d: 1 },
      cooc: { a: { b: 3, c: 3, d: 1 }, x: { y: 1 } },
      catalog: { a: { tags: ['Shoes'] }, b: { tags: ['shoes'] }, c: { tags: ['hats'] }, d: {} },
    });
  });

  afterAll(async () => {
    await serving.close();
    await admin.close();
  });

  it('when the request is minimal, then 200 with items, default segment, three DEFAULT_APPLIED warnings, echoed X-Request-Id and no-store', async () => {
    const res = await rec(minimal, h([], { 'X-Request-Id': 'req-123' }));
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.items)).toBe(true);
    expect(ids(res.body)).toEqual(['a', 'b', 'c', 'd']);
    expect(res.body.items.map((i: any) => i.rank)).toEqual([1, 2, 3, 4]);
    expect(res.body.meta.segment).toBe('default');
    expect(res.body.meta.tenant_id).toBe(T);
    expect(res.body.meta.signal_version).toBe('v1');
    expect(res.body.meta.counts).toEqual({ returned: 4 });
    expect(
      res.body.warnings.filter((w: any) => w.code === 'DEFAULT_APPLIED').map((w: any) => w.detail),
    ).toEqual(["segment defaulted to 'default'", 'k defaulted to 20', 'options defaulted']);
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(res.body.meta.request_id).toBe('req-123');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('when the surface is missing, then 400 problem+json with code, type, instance and request_id', async () => {
    const res = await rec({ user: { user_id: 'u1' } }, h([], { 'X-Request-Id': 'bad-1' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'RECSYS_INVALID_REQUEST',
      type: 'https://errors.recsys.example/problem/recsys-invalid-request',
      instance: '/v1/recommend',
      request_id: 'bad-1',
      status: 400,
    });
    expect(res.body.detail).toContain('surface is required');
    expect(res.headers.get('x-request-id')).toBe('bad-1');
  });

  it('when the surface is unsafe, a field unknown or JSON trailing, then 400', async () => {
    for (const surface of ['../x', 'a/b', '.']) {
      const res = await rec({ ...minimal, surface });
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain('invalid path segment');
    }
    expect((await rec({ ...minimal, tenant_id: 'x' })).status).toBe(400);
    const trailing = await rec(`${JSON.stringify(minimal)}{"x":1}`);
    expect(trailing.status).toBe(400);
    expect(trailing.body.code).toBe('RECSYS_INVALID_REQUEST');
    expect((await rec('')).status).toBe(400);
  });

  it('when no user id is given, then 422; k=0 and k=201 are 400 and k=200 is accepted', async () => {
    const none = await rec({ surface: 'home' });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('RECSYS_UNPROCESSABLE_ENTITY');
    expect(none.body.detail).toBe('user_id or anonymous_id or session_id is required');
    expect((await rec({ ...minimal, k: 0 })).status).toBe(400);
    const k201 = await rec({ ...minimal, k: 201 });
    expect(k201.status).toBe(400);
    expect(k201.body.detail).toBe('k must be between 1 and 200');
    expect((await rec({ ...minimal, k: 200 })).status).toBe(200);
  });

  it('when explain is FULL it normalizes to full; invalid explain 422; explain with k=51 → RECSYS_EXPLAIN_TOO_LARGE; full needs admin', async () => {
    const validated = await post(
      `${serving.url}/v1/recommend/validate`,
      { ...minimal, options: { explain: 'FULL' } },
      h(),
    );
    expect(validated.status).toBe(200);
    expect(validated.body.normalized_request.options.explain).toBe('full');
    expect((await rec({ ...minimal, options: { explain: 'loud' } })).status).toBe(422);
    const big = await rec({ ...minimal, k: 51, options: { explain: 'summary' } });
    expect(big.status).toBe(422);
    expect(big.body.code).toBe('RECSYS_EXPLAIN_TOO_LARGE');
    const viewer = await rec({ ...minimal, options: { explain: 'full' } }, h(['viewer']));
    expect(viewer.status).toBe(403);
    expect(viewer.body.code).toBe('RECSYS_FORBIDDEN');
    expect((await rec({ ...minimal, options: { include_trace: true } }, h(['operator']))).status).toBe(403);
    const full = await rec({ ...minimal, options: { explain: 'full', include_reasons: true } }, h(['admin']));
    expect(full.status).toBe(200);
    expect(full.body.items[0].explain.signals).toBeDefined();
    expect(full.body.items[0].reasons.length).toBeGreaterThan(0);
    const summary = await rec({ ...minimal, options: { explain: 'summary' } }, h(['viewer']));
    expect(summary.status).toBe(200);
    expect(summary.body.items[0].explain).toBeDefined();
  });

  it('when limits are exceeded, then 400 or 422 as the reference; tags are lower-cased and de-duplicated in validate', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `i${i}`);
    expect((await rec({ ...minimal, anchors: { item_ids: many(51) } })).status).toBe(400);
    expect((await rec({ ...minimal, anchors: { item_ids: many(3), max_anchors: 2 } })).status).toBe(422);
    expect((await rec({ ...minimal, candidates: { include_ids: many(5001) } })).status).toBe(400);
    expect((await rec({ ...minimal, constraints: { required_tags: many(201) } })).status).toBe(400);
    expect((await rec({ ...minimal, constraints: { max_per_tag: { shoes: -1 } } })).status).toBe(422);
    expect((await rec({ ...minimal, weights: { pop: -1 } })).status).toBe(422);
    const validated = await post(
      `${serving.url}/v1/recommend/validate`,
      {
        ...minimal,
        anchors: { item_ids: [' a ', 'a', 'b'] },
        constraints: { required_tags: ['Shoes', ' shoes ', 'HATS'], forbidden_tags: ['X', 'x'] },
        options: {},
      },
      h([], { 'X-Request-Id': 'val-1' }),
    );
    expect(validated.status).toBe(200);
    expect(validated.headers.get('x-request-id')).toBe('val-1');
    expect(validated.body.meta).toMatchObject({
      request_id: 'val-1',
      segment: 'default',
      algo_version: 'recsys-algo@stub',
    });
    expect(validated.body.normalized_request).toMatchObject({
      surface: 'home',
      segment: 'default',
      k: 20,
      anchors: { item_ids: ['a', 'b'], max_anchors: 50 },
      constraints: { required_tags: ['shoes', 'hats'], forbidden_tags: ['x'] },
      options: { include_reasons: false, explain: 'none', include_trace: false, seed: 0 },
    });
    expect(validated.body.warnings.map((w: any) => w.detail)).toEqual([
      "segment defaulted to 'default'",
      'k defaulted to 20',
      'anchors.max_anchors defaulted to 50',
    ]);
  });

  it('when the body exceeds 1 MiB, then 413', async () => {
    const res = await rec({ ...minimal, candidates: { exclude_ids: ['x'.repeat(1024 * 1024)] } });
    expect(res.status).toBe(413);
  });

  it('when equal scores tie, then items are ordered by item_id and identical requests give identical responses', async () => {
    const first = await rec({ ...minimal, k: 3 });
    const second = await rec({ ...minimal, k: 3 });
    expect(ids(first.body)).toEqual(['a', 'b', 'c']);
    expect(first.body.items).toEqual(second.body.items);
  });

  it('when similar is asked, then co-visitation neighbours come score desc / id asc; unknown item → 200 []', async () => {
    const res = await post(`${serving.url}/v1/similar`, { surface: 'home', item_id: 'a', k: 5 }, h());
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['b', 'c', 'd']);
    expect(res.body.items[0].score).toBeGreaterThanOrEqual(res.body.items[1].score);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const unknown = await post(`${serving.url}/v1/similar`, { surface: 'home', item_id: 'zzz', k: 5 }, h());
    expect(unknown.status).toBe(200);
    expect(unknown.body.items).toEqual([]);
    const missing = await post(`${serving.url}/v1/similar`, { surface: 'home' }, h());
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toContain('item_id is required');
  });

  it('when excluded and forbidden, then those items never come back and the list back-fills', async () => {
    const res = await rec({
      ...minimal,
      k: 2,
      candidates: { exclude_ids: ['a'] },
      constraints: { forbidden_tags: ['HATS'] },
    });
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['b', 'd']);
  });

  it('when served, then each response (not validate) is emitted as an ExposureEvent on the exposure stream', async () => {
    const stream = `${serving.redis.prefix}recsys.exposures.v1`;
    await rec(minimal, h([], { 'X-Request-Id': 'exp-1' }));
    await post(
      `${serving.url}/v1/similar`,
      { surface: 'home', item_id: 'a' },
      h([], { 'X-Request-Id': 'exp-2' }),
    );
    await post(`${serving.url}/v1/recommend/validate`, minimal, h([], { 'X-Request-Id': 'exp-3' }));
    await rec(
      {
        surface: 'home',
        user: { anonymous_id: 'anon-1', session_id: 's-1' },
        context: { locale: 'en-GB', device: 'ios' },
      },
      h([], { 'X-Request-Id': 'exp-4' }),
    );
    const events = await waitFor(async () => {
      const entries = (await serving.redis.redis.xrange(stream, '-', '+')) as [string, string[]][];
      const parsed = entries.map(([, f]) => ExposureEvent.parse(JSON.parse(f[f.indexOf('payload') + 1]!)));
      const mine = parsed.filter((e) => e.request_id.startsWith('exp-'));
      return mine.length >= 3 ? mine : undefined;
    });
    if (!events) throw new Error('no exposures');
    const recommend = events.find((e) => e.request_id === 'exp-1')!;
    expect(recommend).toMatchObject({
      v: 1,
      event_id: 'exp-1:recommend',
      tenant_id: T,
      surface: 'home',
      segment: 'default',
      endpoint: 'recommend',
      user_id: 'u1',
      signal_version: 'v1',
      algo_version: 'recsys-algo@local',
    });
    expect(recommend.items[0]).toMatchObject({ item_id: 'a', rank: 1 });
    expect(events.find((e) => e.request_id === 'exp-2')?.endpoint).toBe('similar');
    expect(events.some((e) => e.request_id === 'exp-3')).toBe(false);
    const anonymous = events.find((e) => e.request_id === 'exp-4')!;
    expect(anonymous).toMatchObject({ anonymous_id: 'anon-1', session_id: 's-1' });
    expect(anonymous.context).toEqual({ locale: 'en-GB', device: 'ios' });
    expect(anonymous).not.toHaveProperty('user_id');
    expect(recommend).not.toHaveProperty('context');
    expect(recommend).not.toHaveProperty('anonymous_id');
  });

  it('when tenant scope sources disagree or are missing, then 403 / 401 as the reference', async () => {
    const mismatch = await rec(minimal, { ...h(), 'X-Org-Id': 'other' });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.code).toBe('RECSYS_TENANT_SCOPE_MISMATCH');
    const invalid = await rec(minimal, { ...h(), 'X-Org-Id': 'a,b' });
    expect(invalid.body.code).toBe('RECSYS_TENANT_SCOPE_INVALID');
    const anonymous = await rec(minimal, { 'content-type': 'application/json' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('RECSYS_AUTH_REQUIRED');
    const noTenant = await rec(minimal, { 'content-type': 'application/json', 'X-Dev-User-Id': 'x' });
    expect(noTenant.status).toBe(403);
    expect(noTenant.body.code).toBe('RECSYS_TENANT_SCOPE_REQUIRED');
  });
});

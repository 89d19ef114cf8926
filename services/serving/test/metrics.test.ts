import { startAdminStub, type AdminStub } from './admin-stub.js';
import { devHeaders, post, publishVersion, SERVICE_TOKEN, startServing, type Serving } from './harness.js';

const T = 'metr';

/** The metrics issue #5 lists, read from /metrics after real traffic. */
describe('serving metrics', () => {
  let admin: AdminStub;
  let serving: Serving;
  let text: string;
  const line = (name: string, labels: Record<string, string> = {}) => {
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .find((l) => wanted.every((w) => l.includes(w)));
  };
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = line(name, labels);
    return found === undefined ? undefined : Number(found.slice(found.lastIndexOf(' ') + 1));
  };

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    serving = await startServing({ ADMIN_URL: admin.url });
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v1', {
      popularity: { a: 2, b: 1 },
      cooc: { a: { b: 1 } },
    });
    const rec = (body: unknown) => post(`${serving.url}/v1/recommend`, body, devHeaders(T));
    expect((await rec({ surface: 'home', user: { user_id: 'u1' } })).body.items.length).toBe(2);
    expect((await rec({ surface: 'home', user: { user_id: 'u2' } })).status).toBe(200);
    // Nothing published for this surface (and no `default` surface): an empty list.
    expect((await rec({ surface: 'empty', user: { user_id: 'u1' } })).body.items).toEqual([]);
    expect((await rec({ surface: 'home' })).status).toBe(422);
    await post(`${serving.url}/v1/similar`, { surface: 'home', item_id: 'a' }, devHeaders(T));
    await serving.deps.exposures!.flush();
    text = await (await fetch(`${serving.url}/metrics`)).text();
  });

  afterAll(async () => {
    await serving.close();
    await admin.close();
  });

  it('when requests were served, then rate, latency and errors are counted per endpoint and tenant, with the empty-list share', () => {
    const ok = { endpoint: 'recommend', tenant: T, outcome: 'success' };
    expect(value('recsys_recommendation_requests_total', { ...ok, empty: 'false' })).toBe(2);
    expect(value('recsys_recommendation_requests_total', { ...ok, empty: 'true' })).toBe(1);
    expect(
      value('recsys_recommendation_requests_total', {
        endpoint: 'recommend',
        tenant: T,
        outcome: 'validation_failed',
      }),
    ).toBe(1);
    expect(
      value('recsys_recommendation_requests_total', { endpoint: 'similar', tenant: T, outcome: 'success' }),
    ).toBe(1);
    expect(value('recsys_recommendation_latency_seconds_count', ok)).toBe(3);
    expect(line('recsys_recommendation_latency_seconds_bucket', { ...ok, le: '0.05' })).toBeDefined();
    expect(value('recsys_recommendation_returned_items_count', { endpoint: 'recommend' })).toBe(3);
    // The platform's per-route HTTP metrics.
    expect(value('http_requests_total', { route: '/v1/recommend' })).toBeGreaterThanOrEqual(3);
    expect(line('http_request_duration_seconds_count', { route: '/v1/recommend' })).toBeDefined();
  });

  it('when the tenant runtime is read, then cache hits and misses are counted', () => {
    expect(value('recsys_cache_requests_total', { cache: 'tenant_runtime', result: 'miss' })).toBeGreaterThan(
      0,
    );
    expect(value('recsys_cache_requests_total', { cache: 'tenant_runtime', result: 'hit' })).toBeGreaterThan(
      0,
    );
  });

  it('when a snapshot is live, then its size, item count and ages are exported per tenant, surface and segment', () => {
    const key = { tenant: T, surface: 'home', segment: 'default' };
    expect(value('recsys_signal_snapshot_bytes', key)).toBeGreaterThan(0);
    expect(value('recsys_signal_snapshot_items', key)).toBe(2);
    expect(value('recsys_signal_snapshot_age_seconds', key)).toBeGreaterThanOrEqual(0);
    expect(value('recsys_artifact_manifest_age_seconds', key)).toBeGreaterThanOrEqual(0);
    expect(value('recsys_artifact_manifest_artifacts', key)).toBe(2);
    expect(value('recsys_signal_loads_total', { mode: 'db', result: 'loaded' })).toBeGreaterThan(0);
  });

  it('when exposures were emitted, then the emit count, emit lag and drops are exported', () => {
    expect(value('recsys_exposures_emitted_total')).toBe(4);
    expect(value('recsys_exposure_emit_lag_seconds_count')).toBe(4);
    expect(value('recsys_exposures_dropped_total')).toBe(0);
    expect(value('recsys_user_state_reads_total', { result: 'empty' })).toBeGreaterThan(0);
  });
});

import { startAdminStub, type AdminStub } from './admin-stub.js';
import { devHeaders, post, publishVersion, SERVICE_TOKEN, startServing } from './harness.js';

const body = { surface: 'home', k: 2, user: { user_id: 'u1' } };

describe('backpressure and per-tenant rate limits (reference §9.2 serving 13, 15)', () => {
  let admin: AdminStub;

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    for (const t of ['bp', 'rl']) admin.tenants.set(t, { status: 'active' });
  });

  afterAll(async () => {
    await admin.close();
  });

  it('when max_inflight=1 with no queue and no wait, then a concurrent second request gets 503 RECSYS_OVERLOADED with Retry-After: 1', async () => {
    const serving = await startServing({
      ADMIN_URL: admin.url,
      RECSYS_BACKPRESSURE_MAX_INFLIGHT: '1',
      RECSYS_BACKPRESSURE_MAX_QUEUE: '0',
      RECSYS_BACKPRESSURE_WAIT_TIMEOUT: '0',
      RECSYS_BACKPRESSURE_RETRY_AFTER: '1s',
    });
    try {
      // The first request holds the only slot while admin answers slowly.
      admin.delayMs = 700;
      const slow = post(`${serving.url}/v1/recommend`, body, devHeaders('bp'));
      await new Promise((r) => setTimeout(r, 200));
      const rejected = await post(`${serving.url}/v1/recommend`, body, devHeaders('bp'));
      expect(rejected.status).toBe(503);
      expect(rejected.body.code).toBe('RECSYS_OVERLOADED');
      expect(rejected.headers.get('retry-after')).toBe('1');
      expect((await slow).status).toBe(200);
      admin.delayMs = 0;
      // Once the slow request is done, its slot is free again.
      expect((await post(`${serving.url}/v1/recommend`, body, devHeaders('bp'))).status).toBe(200);
      const metrics = await (await fetch(`${serving.url}/metrics`)).text();
      expect(metrics).toMatch(/recsys_backpressure_rejections_total\{[^}]*\} 1/);
      expect(metrics).toMatch(
        /recsys_recommendation_requests_total\{[^}]*tenant="bp"[^}]*outcome="overload"[^}]*\} 1/,
      );
    } finally {
      admin.delayMs = 0;
      await serving.close();
    }
  });

  it('when a tenant exceeds its bucket across two replicas, then 429 with Retry-After; other tenants are unaffected', async () => {
    const env = {
      ADMIN_URL: admin.url,
      TENANT_RATE_LIMIT_ENABLED: 'true',
      TENANT_RATE_LIMIT_CAPACITY: '3',
      TENANT_RATE_LIMIT_REFILL_RATE: '0.01',
      TENANT_RATE_LIMIT_RETRY_AFTER: '2s',
    };
    const a = await startServing(env);
    const b = await startServing(env, { schema: a.schema, redis: a.redis });
    try {
      await publishVersion(a, { tenant: 'rl', surface: 'home' }, 'v1', { popularity: { x: 1 } });
      expect((await post(`${a.url}/v1/recommend`, body, devHeaders('rl'))).status).toBe(200);
      expect((await post(`${b.url}/v1/recommend`, body, devHeaders('rl'))).status).toBe(200);
      expect((await post(`${a.url}/v1/recommend`, body, devHeaders('rl'))).status).toBe(200);
      const limited = await post(`${b.url}/v1/recommend`, body, devHeaders('rl'));
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('RECSYS_RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
      expect((await post(`${b.url}/v1/recommend`, body, devHeaders('bp'))).status).toBe(200);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('when AUTH_REQUIRE_TENANT_CLAIM=true, then a tenant named only by the X-Org-Id header is refused (403 RECSYS_TENANT_SCOPE_REQUIRED)', async () => {
    const serving = await startServing({ ADMIN_URL: admin.url, AUTH_REQUIRE_TENANT_CLAIM: 'true' });
    try {
      const headerOnly = await post(`${serving.url}/v1/recommend`, body, {
        'content-type': 'application/json',
        'X-Dev-User-Id': 'x',
        'X-Org-Id': 'bp',
      });
      expect(headerOnly.status).toBe(403);
      expect(headerOnly.body.code).toBe('RECSYS_TENANT_SCOPE_REQUIRED');
      expect((await post(`${serving.url}/v1/recommend`, body, devHeaders('bp'))).status).toBe(200);
    } finally {
      await serving.close();
    }
  });
});

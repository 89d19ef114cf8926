import { createRedis } from '@recsys/platform/redis';
import { createTestRedis, waitFor, type TestRedis } from '@recsys/testing';
import { TenantRateLimiter } from '../src/adapters/rate-limit.js';

describe('TenantRateLimiter', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await createTestRedis();
  });

  afterAll(async () => {
    await redis.cleanup();
  });

  it('when two limiters share Redis, then they share one bucket per tenant (Lua token bucket)', async () => {
    const options = { capacity: 2, refillPerSecond: 0.001, retryAfterMs: 1000, failOpen: false };
    const clients = [createRedis(redis.url), createRedis(redis.url)];
    await waitFor(() => clients.every((c) => c.status === 'ready'));
    const a = new TenantRateLimiter(clients[0]!, redis.prefix, options);
    const b = new TenantRateLimiter(clients[1]!, redis.prefix, options);
    try {
      expect((await a.take('t1')).allowed).toBe(true);
      expect((await b.take('t1')).allowed).toBe(true);
      const denied = await a.take('t1');
      expect(denied).toMatchObject({ allowed: false, source: 'redis' });
      expect(denied.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((await b.take('t2')).allowed).toBe(true);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('when requests for a tenant arrive together, then one script call decides them in arrival order', async () => {
    const client = createRedis(redis.url);
    await waitFor(() => client.status === 'ready');
    const limiter = new TenantRateLimiter(client, redis.prefix, {
      capacity: 3,
      refillPerSecond: 0.001,
      retryAfterMs: 1000,
      failOpen: false,
    });
    const calls = jest.spyOn(
      client as unknown as { recsysTokenBucketN: () => unknown },
      'recsysTokenBucketN',
    );
    try {
      const decisions = await Promise.all([1, 2, 3, 4, 5].map(() => limiter.take('burst')));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
      expect(decisions[4]).toMatchObject({ source: 'redis' });
      expect(decisions[4]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(calls).toHaveBeenCalledTimes(1);
      expect((await limiter.take('burst')).allowed).toBe(false);
      expect(calls).toHaveBeenCalledTimes(2);
    } finally {
      client.disconnect();
    }
  });

  it('when Redis is unreachable, then a per-replica bucket takes over (or everything passes with fail-open)', async () => {
    const down = createRedis('redis://127.0.0.1:1', { connectTimeout: 200, retryStrategy: () => null });
    await waitFor(() => down.status === 'end');
    try {
      const local = new TenantRateLimiter(down, '', {
        capacity: 1,
        refillPerSecond: 0.001,
        retryAfterMs: 1000,
        failOpen: false,
      });
      expect(await local.take('t')).toMatchObject({ allowed: true, source: 'local' });
      expect(await local.take('t')).toMatchObject({ allowed: false, source: 'local' });
      const open = new TenantRateLimiter(down, '', {
        capacity: 1,
        refillPerSecond: 0.001,
        retryAfterMs: 1000,
        failOpen: true,
      });
      expect(await open.take('t')).toMatchObject({ allowed: true, source: 'fail-open' });
      expect(await open.take('t')).toMatchObject({ allowed: true, source: 'fail-open' });
    } finally {
      if (down.status !== 'end') down.disconnect();
    }
  });
});

import { EXPOSURES_STREAM, type ExposureEvent } from '@recsys/contracts-serving';
import { createLogger } from '@recsys/platform/logger';
import { createMetrics } from '@recsys/platform/metrics';
import { createRedis } from '@recsys/platform/redis';
import { StreamProducer } from '@recsys/platform/streams';
import { createTestRedis, waitFor, type TestRedis } from '@recsys/testing';
import { ExposureEmitter } from '../src/adapters/exposures.js';
import { createServingMetrics } from '../src/metrics.js';
import { startAdminStub } from './admin-stub.js';
import { devHeaders, ids, post, publishVersion, SERVICE_TOKEN, startServing } from './harness.js';
import { startTcpProxy } from './tcp-proxy.js';

function exposure(i: number): ExposureEvent {
  return {
    v: 1,
    event_id: `r${i}:recommend`,
    request_id: `r${i}`,
    tenant_id: 't',
    surface: 'home',
    segment: 'default',
    endpoint: 'recommend',
    occurred_at: new Date().toISOString(),
    items: [{ item_id: 'a', rank: 1, score: 1 }],
    algo_version: 'x',
  };
}

describe('exposure emitter', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await createTestRedis();
  });

  afterAll(async () => {
    await redis.cleanup();
  });

  it('when Redis is unreachable, then exposures are buffered (bounded, drops counted) and flushed once it is back', async () => {
    const url = new URL(redis.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 6379) });
    const client = createRedis(`redis://127.0.0.1:${proxy.port}`);
    const http = createMetrics('test', { collectDefaults: false });
    const metrics = createServingMetrics(http);
    const stream = `${redis.prefix}${EXPOSURES_STREAM}`;
    const emitter = new ExposureEmitter(
      new StreamProducer(client, stream, 10_000),
      metrics,
      createLogger('t', 'silent'),
      5,
    );
    try {
      await waitFor(() => client.status === 'ready');
      emitter.enqueue(exposure(0));
      await waitFor(async () => (await redis.redis.xlen(stream)) === 1);

      await proxy.cut();
      await waitFor(() => client.status !== 'ready');
      const started = Date.now();
      for (let i = 1; i <= 8; i++) emitter.enqueue(exposure(i));
      expect(Date.now() - started).toBeLessThan(50);
      expect(emitter.buffered).toBe(5);
      expect(
        (await http.registry.getSingleMetric('recsys_exposures_dropped_total')!.get()).values[0]!.value,
      ).toBe(3);

      await proxy.open();
      await waitFor(async () => (await redis.redis.xlen(stream)) === 6, 10_000, 50);
      const ids = ((await redis.redis.xrange(stream, '-', '+')) as [string, string[]][]).map(
        ([, f]) => JSON.parse(f[f.indexOf('payload') + 1]!).request_id,
      );
      expect(ids).toEqual(['r0', 'r4', 'r5', 'r6', 'r7', 'r8']);
      // The entries are visible in the stream a moment before the XADD replies reach the emitter.
      await waitFor(() => emitter.buffered === 0, 5_000, 20);
      expect(emitter.buffered).toBe(0);
      const lag = (await http.registry.getSingleMetric('recsys_exposure_emit_lag_seconds')!.get()).values;
      expect(
        lag.find(
          (v) => (v as { metricName?: string }).metricName === 'recsys_exposure_emit_lag_seconds_count',
        )?.value,
      ).toBe(6);
    } finally {
      await emitter.close();
      client.disconnect();
      await proxy.cut().catch(() => undefined);
    }
  });

  it('when serving loses Redis, then recommend keeps answering 200 at once, exposures wait in the bounded buffer (drops counted, readiness degraded) and reach the stream once Redis is back', async () => {
    const url = new URL(redis.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 6379) });
    const admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set('expo', { status: 'active' });
    const serving = await startServing(
      {
        ADMIN_URL: admin.url,
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        SERVING_EXPOSURE_BUFFER_MAX: '5',
        TENANT_RATE_LIMIT_ENABLED: 'true',
      },
      { redis },
    );
    const stream = `${redis.prefix}${EXPOSURES_STREAM}`;
    const rec = (requestId: string) =>
      post(
        `${serving.url}/v1/recommend`,
        { surface: 'home', k: 3, user: { user_id: 'u1' } },
        devHeaders('expo', [], { 'X-Request-Id': requestId }),
      );
    const streamIds = async () =>
      ((await redis.redis.xrange(stream, '-', '+')) as [string, string[]][])
        .map(([, f]) => JSON.parse(f[f.indexOf('payload') + 1]!) as ExposureEvent)
        .filter((e) => e.tenant_id === 'expo')
        .map((e) => e.request_id);
    let closed = false;
    try {
      await publishVersion(serving, { tenant: 'expo', surface: 'home' }, 'v1', {
        popularity: { a: 3, b: 2, c: 1 },
      });
      await waitFor(() => serving.deps.redis.status === 'ready');
      const before = await rec('up-0');
      expect(ids(before.body)).toEqual(['a', 'b', 'c']);
      await waitFor(async () => (await streamIds()).length === 1);

      await proxy.cut();
      await waitFor(() => serving.deps.redis.status !== 'ready');
      for (let i = 1; i <= 8; i++) {
        const started = Date.now();
        const res = await rec(`down-${i}`);
        // Neither the rate limit, the user-state read nor the exposure waits for Redis.
        expect(Date.now() - started).toBeLessThan(1000);
        expect(res.status).toBe(200);
        expect(ids(res.body)).toEqual(['a', 'b', 'c']);
        expect(res.body.warnings.map((w: any) => w.code)).toContain('USER_STATE_UNAVAILABLE');
      }
      expect(serving.deps.exposures!.buffered).toBe(5);
      const metrics = await (await fetch(`${serving.url}/metrics`)).text();
      expect(metrics).toMatch(/^recsys_exposures_dropped_total\{[^}]*\} 3$/m);
      const ready = await fetch(`${serving.url}/readyz`);
      const report: any = await ready.json();
      expect(ready.status).toBe(200);
      expect(report.status).toBe('degraded');
      expect(report.checks.redis.status).toBe('degraded');

      await proxy.open();
      await waitFor(async () => (await streamIds()).length === 6, 20_000, 100);
      expect(await streamIds()).toEqual(['up-0', 'down-4', 'down-5', 'down-6', 'down-7', 'down-8']);
      await waitFor(() => serving.deps.exposures!.buffered === 0, 5_000, 20);

      // Shutting down while Redis is unreachable does not hang on the stream consumers' blocked reads.
      await proxy.cut();
      await waitFor(() => serving.deps.redis.status !== 'ready');
      const stopping = Date.now();
      closed = true;
      await serving.close();
      expect(Date.now() - stopping).toBeLessThan(8000);
    } finally {
      if (!closed) await serving.close();
      await admin.close();
      await proxy.cut();
    }
  }, 60_000);
});

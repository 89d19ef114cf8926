import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { EXPOSURES_STREAM, type ExposureEvent } from '@recsys/contracts-serving';
import { createLogger } from '@recsys/platform/logger';
import { createMetrics } from '@recsys/platform/metrics';
import { createRedis } from '@recsys/platform/redis';
import { StreamProducer } from '@recsys/platform/streams';
import { createTestRedis, waitFor, type TestRedis } from '@recsys/testing';
import { ExposureEmitter } from '../src/adapters/exposures.js';
import { createServingMetrics } from '../src/metrics.js';

/** A TCP proxy in front of the real Redis that the test can cut and restore (Redis "down" without stopping it). */
async function redisProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server!.close(() => resolve());
    });
  await open();
  return {
    get port() {
      return port;
    },
    open,
    cut,
  };
}

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
    const proxy = await redisProxy({ host: url.hostname, port: Number(url.port || 6379) });
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
});

import { StreamProducer } from '@recsys/platform/streams';
import { waitFor } from '@recsys/testing';
import { createExposureConsumer } from '../src/domain/exposure-consumer.js';
import { startIngest, type Harness } from './helpers.js';

function exposure(i: number, overrides: Record<string, unknown> = {}) {
  return {
    v: 1,
    event_id: `req-${i}:recommend`,
    request_id: `req-${i}`,
    tenant_id: 'streamco',
    surface: 'home',
    segment: 'default',
    endpoint: 'recommend',
    user_id: `user-${i}`,
    occurred_at: new Date().toISOString(),
    items: [{ item_id: `it-${i}`, rank: 1, score: 0.3 }],
    algo_version: 'blend-v1',
    ...overrides,
  };
}

describe('exposure stream consumer', () => {
  let h: Harness;
  let producer: StreamProducer;

  beforeAll(async () => {
    h = await startIngest({
      INGEST_CONSUMER_NAME: 'c1',
      INGEST_CONSUMER_CLAIM_IDLE: '50ms',
      INGEST_CONSUMER_MAX_DELIVERIES: '3',
      INGEST_CONSUMER_BLOCK: '10ms',
    });
    producer = new StreamProducer(h.redis.redis, h.deps.streams.exposures, 100_000);
    await h.deps.consumer.ensureGroup();
  });
  afterAll(() => h.close());

  const pending = async () =>
    ((await h.redis.redis.xpending(h.deps.streams.exposures, 'ingest')) as [number])[0];
  const stored = async () =>
    (await h.schema.query('select count(*)::int n from exposures')).rows[0].n as number;

  it('when exposures arrive, then they are stored once, acked after commit, and the checkpoint advances', async () => {
    const ids = await producer.publishMany(
      Array.from({ length: 30 }, (_, i) => ({ type: 'exposure', payload: exposure(i) })),
    );
    // a replayed entry (serving retried) is stored only once
    await producer.publish('exposure', exposure(0));
    while ((await h.deps.consumer.pollOnce()) > 0);
    expect(await stored()).toBe(30);
    expect(await pending()).toBe(0);
    const cp = await h.schema.query('select consumer, last_id from consumer_checkpoints');
    expect(cp.rows[0].consumer).toBe('ingest/c1');
    expect(cp.rows[0].last_id >= ids[29]!).toBe(true);
    const row = await h.schema.query(
      `select source, user_id, items from exposures where event_id = 'req-3:recommend'`,
    );
    expect(row.rows[0]).toEqual({
      source: 'stream',
      user_id: 'user-3',
      items: [{ item_id: 'it-3', rank: 1, score: 0.3 }],
    });
  });

  it('when a consumer dies holding entries, then another consumer re-claims and stores them', async () => {
    await producer.publishMany(
      Array.from({ length: 5 }, (_, i) => ({ type: 'exposure', payload: exposure(100 + i) })),
    );
    // "dead" consumer: reads the entries and never acks
    await h.redis.redis.xreadgroup(
      'GROUP',
      'ingest',
      'dead',
      'COUNT',
      100,
      'STREAMS',
      h.deps.streams.exposures,
      '>',
    );
    expect(await pending()).toBe(5);
    await waitFor(async () => {
      await h.deps.consumer.pollOnce();
      return (await pending()) === 0;
    }, 10_000);
    expect(await stored()).toBe(35);
  });

  it('when an entry is poison, then it is dead-lettered with its reason (malformed at once, failing ones after N deliveries) and the good ones are stored', async () => {
    await producer.publish('exposure', { not: 'an exposure' });
    await producer.publish(
      'exposure',
      exposure(200, { occurred_at: new Date(Date.now() + 3_600_000).toISOString() }),
    );
    await producer.publish('exposure', exposure(201));
    const dlq = await waitFor(
      async () => {
        await h.deps.consumer.pollOnce();
        const entries = (await h.redis.redis.xrange(h.deps.streams.exposuresDeadLetter, '-', '+')) as [
          string,
          string[],
        ][];
        return entries.length === 2 && (await pending()) === 0 ? entries : undefined;
      },
      15_000,
      20,
    );
    const reasons = dlq!.map(([, f]) => ({
      reason: f[f.indexOf('reason') + 1],
      deliveries: f[f.indexOf('deliveries') + 1],
    }));
    expect(reasons[0]!.reason).toMatch(/^invalid payload/);
    expect(reasons[1]!.reason).toMatch(/failed 3 deliveries: RECSYS_EVENT_IN_FUTURE/);
    expect(reasons[1]!.deliveries).toBe('3');
    expect(
      (
        await h.schema.query(
          `select count(*)::int n from exposures where request_id in ('req-200', 'req-201')`,
        )
      ).rows[0].n,
    ).toBe(1);
  });

  it('when the hash salt is set, then identifiers from the stream are stored hashed', async () => {
    const connection = h.redis.redis.duplicate();
    const salted = createExposureConsumer(connection, h.deps.store, {
      stream: `${h.deps.streams.exposures}.salted`,
      deadLetterStream: `${h.deps.streams.exposures}.salted.dlq`,
      group: 'ingest',
      consumer: 's1',
      batchSize: 10,
      blockMs: 10,
      claimIdleMs: 1000,
      maxDeliveries: 3,
      salt: 'pepper',
      maxFutureSkewMs: 300_000,
      retentionDays: 0,
      logger: h.deps.logger,
    });
    await salted.ensureGroup();
    await new StreamProducer(h.redis.redis, `${h.deps.streams.exposures}.salted`, 1000).publish(
      'exposure',
      exposure(300),
    );
    while ((await salted.pollOnce()) > 0);
    connection.disconnect();
    const row = await h.schema.query(`select user_id from exposures where request_id = 'req-300'`);
    expect(row.rows[0].user_id).toMatch(/^[0-9a-f]{64}$/);
    expect(row.rows[0].user_id).not.toBe('user-300');
  });
});

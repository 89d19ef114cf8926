import { z } from 'zod';
import { createTestRedis, waitFor, type TestRedis } from '@recsys/testing';
import { Redis } from 'ioredis';
import { createLogger } from './logger.js';
import { prom } from './metrics.js';
import { StreamConsumer, StreamProducer, type StreamMessage } from './streams.js';

const logger = createLogger('test', 'silent');
const Payload = z.object({ n: z.number() });

describe('redis streams', () => {
  let t: TestRedis;
  let connections: Redis[] = [];
  const connection = () => {
    const c = new Redis(t.url);
    connections.push(c);
    return c;
  };

  beforeEach(async () => {
    t = await createTestRedis();
    connections = [];
  });
  afterEach(async () => {
    for (const c of connections) c.disconnect();
    await t.cleanup();
  });

  const consumer = (name: string, handle: (m: StreamMessage<{ n: number }>[]) => Promise<void>, extra = {}) =>
    new StreamConsumer(connection(), {
      stream: `${t.prefix}s`,
      group: 'g',
      consumer: name,
      schema: Payload,
      handleBatch: handle,
      deadLetterStream: `${t.prefix}s.dlq`,
      maxDeliveries: 3,
      claimIdleMs: 50,
      blockMs: 50,
      logger,
      ...extra,
    });

  it('when entries are handled, then they are acked and the stream length stays bounded', async () => {
    const producer = new StreamProducer(t.redis, `${t.prefix}s`, 10);
    // Approximate trimming (MAXLEN ~) drops whole radix-tree nodes of 100 entries.
    await producer.publishMany(Array.from({ length: 300 }, (_, i) => ({ type: 'test', payload: { n: i } })));
    expect(await t.redis.xlen(`${t.prefix}s`)).toBeLessThan(300);
    const seen: number[] = [];
    const c = consumer('c1', async (batch) => {
      seen.push(...batch.map((m) => m.payload.n));
    });
    await c.ensureGroup();
    while ((await c.pollOnce()) > 0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toBe(299);
    const pending = (await t.redis.xpending(`${t.prefix}s`, 'g')) as [number];
    expect(pending[0]).toBe(0);
  });

  it('when entries are published many at once or packed, then each is the same entry publish writes, in order', async () => {
    const stream = `${t.prefix}p`;
    const producer = new StreamProducer(t.redis, stream, 100_000);
    const payloads = Array.from({ length: 2100 }, (_, i) => ({ n: i, s: 'tab\tline\n"é😀' }));
    await producer.publish('one', payloads[0]);
    const ids = await producer.publishMany(payloads.map((payload) => ({ type: 'many', payload })));
    expect(ids).toHaveLength(2100);
    const packed = payloads.map((p) => `packed\t${JSON.stringify(p)}`).join('\n');
    expect(await producer.publishPacked(packed)).toBe(2100);
    expect(await producer.publishPacked('')).toBe(0);
    await expect(producer.publishPacked('no type here')).rejects.toThrow(/without a type/);
    // One script call each (no pipeline), with Redis's script cache emptied first (EVALSHA falls back to EVAL).
    await t.redis.script('FLUSH');
    expect(
      await producer.publishMany(payloads.slice(0, 2).map((payload) => ({ type: 'few', payload }))),
    ).toHaveLength(2);
    await t.redis.script('FLUSH');
    expect(await producer.publishPacked(`few\t${JSON.stringify(payloads[0])}\nfew\t{}`)).toBe(2);
    const entries = (await t.redis.xrange(stream, '-', '+')) as [string, string[]][];
    expect(entries).toHaveLength(1 + 2 * 2100 + 4);
    expect(entries.slice(1, 2101).map(([id]) => id)).toEqual(ids);
    const expected = [
      ['one', payloads[0]],
      ...payloads.map((p) => ['many', p]),
      ...payloads.map((p) => ['packed', p]),
      ['few', payloads[0]],
      ['few', payloads[1]],
      ['few', payloads[0]],
      ['few', {}],
    ].map(([type, p]) => ['type', type, 'payload', JSON.stringify(p)]);
    expect(entries.map(([, fields]) => fields)).toEqual(expected);
  });

  it('when a handler keeps failing, then the entry is retried and dead-lettered after maxDeliveries with its reason', async () => {
    const producer = new StreamProducer(t.redis, `${t.prefix}s`, 1000);
    await producer.publish('test', { n: 1 });
    await producer.publish('test', { n: 2 });
    const handled: number[] = [];
    const c = consumer('c1', async (batch) => {
      if (batch.some((m) => m.payload.n === 2)) throw new Error('boom on 2');
      handled.push(...batch.map((m) => m.payload.n));
    });
    await c.ensureGroup();
    await c.pollOnce();
    expect(handled).toEqual([1]);
    await waitFor(
      async () => {
        await c.pollOnce();
        return (await t.redis.xlen(`${t.prefix}s.dlq`)) === 1;
      },
      5000,
      60,
    );
    const entries = (await t.redis.xrange(`${t.prefix}s.dlq`, '-', '+')) as [string, string[]][];
    const fields = entries[0]![1];
    const dead: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) dead[fields[i]!] = fields[i + 1]!;
    expect(JSON.parse(dead.payload!)).toEqual({ n: 2 });
    expect(dead.reason).toMatch(/failed 3 deliveries: boom on 2/);
    expect(((await t.redis.xpending(`${t.prefix}s`, 'g')) as [number])[0]).toBe(0);
  });

  it('when a payload does not match the schema, then it is dead-lettered at once and the gauges show it', async () => {
    await t.redis.xadd(`${t.prefix}s`, '*', 'type', 'test', 'payload', JSON.stringify({ n: 'nope' }));
    const registry = new prom.Registry();
    const c = consumer('c1', async () => undefined, { registry });
    await c.ensureGroup();
    await c.pollOnce();
    expect(await t.redis.xlen(`${t.prefix}s.dlq`)).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain(`recsys_stream_dead_letter_entries{stream="${t.prefix}s.dlq"} 1`);
    expect(text).toContain(`recsys_stream_pending_entries{stream="${t.prefix}s",group="g"} 0`);
  });

  it('when a consumer dies with entries pending, then another consumer re-claims and handles them', async () => {
    const producer = new StreamProducer(t.redis, `${t.prefix}s`, 1000);
    await producer.publish('test', { n: 7 });
    const dead = consumer(
      'dead',
      async () => {
        throw new Error('crashed before ack');
      },
      { maxDeliveries: 10 },
    );
    await dead.ensureGroup();
    await dead.pollOnce(); // delivered to "dead", never acked
    const handled: number[] = [];
    const alive = consumer('alive', async (batch) => {
      handled.push(...batch.map((m) => m.payload.n));
    });
    await waitFor(
      async () => {
        await alive.pollOnce();
        return handled.includes(7);
      },
      5000,
      60,
    );
    expect(((await t.redis.xpending(`${t.prefix}s`, 'g')) as [number])[0]).toBe(0);
  });

  it('when started and stopped, then the loop consumes in the background and stops promptly', async () => {
    const producer = new StreamProducer(t.redis, `${t.prefix}s`, 1000);
    const handled: number[] = [];
    const c = consumer('bg', async (batch) => {
      handled.push(...batch.map((m) => m.payload.n));
    });
    c.start();
    await producer.publish('test', { n: 42 });
    await waitFor(() => handled.includes(42), 5000);
    const started = Date.now();
    await c.stop();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { IngestEvent } from '@recsys/contracts-ingest';
import { StreamProducer } from '@recsys/platform/streams';
import { waitFor } from '@recsys/testing';
import { encodeEvents } from '../src/db/outbox.repository.js';
import { OutboxRelay } from '../src/domain/outbox-relay.js';
import { asService, postJson, startIngest, type Harness } from './helpers.js';

const T = 'outboxco';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private Redis this test may stop and start (never the shared one on 6379). */
function startRedis(port: number): void {
  execFileSync('redis-server', [
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
  ]);
}
function stopRedis(port: number): void {
  try {
    execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { stdio: 'ignore' });
  } catch {
    // already stopped
  }
}

async function readStream(redis: Redis, stream: string): Promise<{ type: string; payload: any }[]> {
  const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
  return entries.map(([, f]) => ({
    type: f[f.indexOf('type') + 1]!,
    payload: JSON.parse(f[f.indexOf('payload') + 1]!),
  }));
}

describe('transactional outbox', () => {
  let port: number;
  let h: Harness;
  let probe: Redis;

  beforeAll(async () => {
    port = await freePort();
    startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    probe = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    probe.on('error', () => undefined);
    await waitFor(() => probe.status === 'ready', 5000, 50);
    h = await startIngest({ INGEST_OUTBOX_POLL_INTERVAL: '100ms', INGEST_CONSUMER_ENABLED: 'false' }, url);
    h.deps.startWorkers();
  });
  afterAll(async () => {
    await h.close();
    probe.disconnect();
    stopRedis(port);
  });

  it('when outcomes are stored with Redis up, then they appear on recsys.events.v1 with raw ids and the outbox drains', async () => {
    const at = new Date().toISOString();
    const res = await postJson(
      `${h.url}/v1/events/outcomes`,
      { events: [{ type: 'click', item_id: 'a', user_id: 'alice', occurred_at: at }] },
      asService(T),
    );
    expect(res.body.accepted).toBe(1);
    const entries = await waitFor(async () => {
      const list = await readStream(probe, h.deps.streams.events);
      return list.length === 1 ? list : undefined;
    });
    expect(entries![0]!.type).toBe('outcome');
    expect(IngestEvent.parse(entries![0]!.payload)).toMatchObject({
      kind: 'outcome',
      user_id: 'alice',
      event_id: res.body.results[0].event_id,
    });
    await waitFor(async () => (await h.schema.query('select count(*)::int n from outbox')).rows[0].n === 0);
  });

  it('when Redis is down, then outcomes and assignments are still stored, and after Redis returns they are published', async () => {
    stopRedis(port);
    await waitFor(() => h.deps.redis.status !== 'ready', 5000);
    const at = new Date().toISOString();
    const outcomes = Array.from({ length: 5 }, (_, i) => ({
      type: 'purchase',
      item_id: `down-${i}`,
      occurred_at: at,
    }));
    const res = await postJson(`${h.url}/v1/events/outcomes`, { events: outcomes }, asService(T));
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(5);
    const asg = await postJson(
      `${h.url}/v1/events/assignments`,
      { events: [{ experiment_id: 'e1', variant: 'A', user_id: 'bob', occurred_at: at }] },
      asService(T),
    );
    expect(asg.body.accepted).toBe(1);
    expect(
      (await h.schema.query(`select count(*)::int n from outcomes where item_id like 'down-%'`)).rows[0].n,
    ).toBe(5);
    // the relay keeps failing while Redis is away; the rows wait in the outbox
    await waitFor(async () => {
      const text = await (await fetch(`${h.url}/metrics`)).text();
      return /ingest_outbox_errors_total\{[^}]*\} [1-9]/.test(text);
    }, 10_000);
    expect((await h.schema.query('select count(*)::int n from outbox')).rows[0].n).toBe(2);

    startRedis(port);
    const entries = await waitFor(
      async () => {
        const list = await readStream(probe, h.deps.streams.events).catch(() => []);
        return list.length >= 6 ? list : undefined;
      },
      20_000,
      100,
    );
    // Redis came back empty (no persistence): exactly the events stored while it was down are on the stream
    expect(entries!.map((e) => e.payload.item_id ?? e.payload.experiment_id).sort()).toEqual(
      ['down-0', 'down-1', 'down-2', 'down-3', 'down-4', 'e1'].sort(),
    );
    expect(entries!.map((e) => e.type).sort()).toEqual([
      'assignment',
      'outcome',
      'outcome',
      'outcome',
      'outcome',
      'outcome',
    ]);
    await waitFor(async () => (await h.schema.query('select count(*)::int n from outbox')).rows[0].n === 0);
  });
});

describe('outbox relay rounds', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startIngest({ INGEST_CONSUMER_ENABLED: 'false' });
  });
  afterAll(async () => {
    await h.close();
  });

  /** An outbox row of `n` outcome events, as a write stores it; returns its size in bytes. */
  async function addRow(tag: string, n: number): Promise<number> {
    const events = Array.from({ length: n }, (_, i) => ({
      kind: 'outcome' as const,
      event_id: `${tag}-${i}`,
      tenant_id: T,
      type: 'click' as const,
      item_id: `${tag}-item-${i}`,
      occurred_at: '2026-12-01T00:00:00.000Z',
    }));
    const text = encodeEvents(events);
    await h.schema.query('insert into outbox (events) values ($1)', [text]);
    return Buffer.byteLength(text);
  }

  it('when rows are larger together than the round budget, then a round publishes the oldest that fit, always at least one, and the next round the rest', async () => {
    const stream = `${h.redis.prefix}relay-rounds`;
    const sizes = [await addRow('r1', 40), await addRow('r2', 40), await addRow('r3', 200)];
    const relay = new OutboxRelay(h.deps.db, new StreamProducer(h.redis.redis, stream, 10_000), {
      batchSize: 20,
      batchBytes: sizes[0]! + sizes[1]! + 1, // the first two rows, not the third
      pollIntervalMs: 100,
      logger: h.deps.logger,
    });
    const remaining = async () =>
      (await h.schema.query<{ events: string }>('select events from outbox order by id')).rows.map(
        (r) => r.events.split('\t')[1]!.match(/"event_id":"([^"]+)-0"/)![1],
      );

    expect(await relay.runOnce()).toBe(80);
    expect(await remaining()).toEqual(['r3']);
    // alone larger than the budget: published by itself
    expect(await relay.runOnce()).toBe(200);
    expect(await remaining()).toEqual([]);
    expect(await relay.runOnce()).toBe(0);

    const ids = ((await h.redis.redis.xrange(stream, '-', '+')) as [string, string[]][]).map(
      ([, f]) => JSON.parse(f[f.indexOf('payload') + 1]!).event_id as string,
    );
    expect(ids).toHaveLength(280);
    expect(ids.slice(0, 2)).toEqual(['r1-0', 'r1-1']);
    expect(ids[40]).toBe('r2-0');
    expect(ids[80]).toBe('r3-0');
  });
});

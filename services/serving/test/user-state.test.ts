import type { OutcomeEvent } from '@recsys/contracts-ingest';
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

const T = 'uten';

describe('live user state from recsys.events.v1', () => {
  let admin: AdminStub;
  let serving: Serving;
  const rec = (user: Record<string, string>) =>
    post(`${serving.url}/v1/recommend`, { surface: 'home', k: 3, user }, devHeaders(T));
  const xadd = (payload: Record<string, unknown>) =>
    serving.redis.redis.xadd(
      `${serving.redis.prefix}recsys.events.v1`,
      '*',
      'type',
      String(payload.kind),
      'payload',
      JSON.stringify(payload),
    );
  let n = 0;
  const outcome = (ids: Record<string, string>, item_id: string, type = 'purchase', at = Date.now()) => ({
    kind: 'outcome',
    event_id: `e${++n}`,
    tenant_id: T,
    type,
    item_id,
    ...ids,
    occurred_at: new Date(at).toISOString(),
  });

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    serving = await startServing({ ADMIN_URL: admin.url, EXPOSURE_HASH_SALT: 'salt-for-tests' });
    // p is unpopular; its co-visitation / item-to-item neighbour c is what a buyer of p should see first.
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v1', {
      popularity: { a: 100, b: 90, c: 1, p: 1 },
      cooc: { p: { c: 10 } },
      i2i: { p: { c: 1 } },
    });
  });

  afterAll(async () => {
    await serving.close();
    await admin.close();
  });

  it('when a purchase event arrives for a user, then that user’s next response changes within 2 seconds', async () => {
    const before = await rec({ user_id: 'buyer' });
    expect(ids(before.body)[0]).toBe('a');
    const sent = Date.now();
    await xadd(outcome({ user_id: 'buyer' }, 'p'));
    // p (bought) and its neighbour c now lead; before, the popular a did.
    const personal = (list: string[]) => list[0] !== 'a' && list.slice(0, 2).includes('c');
    await waitFor(async () => personal(ids((await rec({ user_id: 'buyer' })).body)), 2000, 50);
    expect(Date.now() - sent).toBeLessThan(2000);
    // Someone else is unaffected.
    expect(ids((await rec({ user_id: 'someone-else' })).body)[0]).toBe('a');
  });

  it('when events carry only a session or anonymous id, then requests with that id are personalized too', async () => {
    await xadd(outcome({ session_id: 'sess-1' }, 'p', 'click'));
    await waitFor(
      async () =>
        ids((await rec({ session_id: 'sess-1' })).body)
          .slice(0, 2)
          .includes('c'),
      2000,
      50,
    );
    await xadd(outcome({ anonymous_id: 'anon-1' }, 'p', 'add_to_cart'));
    await waitFor(
      async () =>
        ids((await rec({ anonymous_id: 'anon-1' })).body)
          .slice(0, 2)
          .includes('c'),
      2000,
      50,
    );
    expect(ids((await rec({ anonymous_id: 'anon-2' })).body)[0]).toBe('a');
  });

  it('when recorded, then the user’s list is bounded, expires, and is keyed by the hashed id', async () => {
    const store = serving.deps.userState;
    const key = store.key(T, 'u', 'buyer');
    expect(key).not.toContain('buyer');
    expect(await serving.redis.redis.pttl(key)).toBeGreaterThan(0);
    for (let i = 0; i < 60; i++)
      await xadd(outcome({ user_id: 'heavy' }, `item-${i}`, 'view', Date.now() + i));
    const heavyKey = store.key(T, 'u', 'heavy');
    await waitFor(async () => (await store.read(T, { user_id: 'heavy' }))[0]?.itemId === 'item-59', 3000);
    expect(await serving.redis.redis.zcard(heavyKey)).toBe(50);
    const recent = await store.read(T, { user_id: 'heavy' });
    expect(recent).toHaveLength(50);
    expect(recent[0]!.itemId).toBe('item-59');
  });

  /** What serving's Redis client writes to its socket while `act` runs. */
  async function redisWrites(act: () => Promise<unknown>): Promise<string[]> {
    const socket = (
      serving.deps.redis as unknown as { stream: { write: (chunk: unknown, ...rest: unknown[]) => boolean } }
    ).stream;
    const writes: string[] = [];
    const write = socket.write;
    socket.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      writes.push(String(chunk));
      return write.call(this, chunk, ...rest);
    };
    try {
      await act();
    } finally {
      socket.write = write;
    }
    return writes;
  }

  /** The EVALSHA commands among `writes` that read user state (carry its keys), each as written. */
  function userStateReads(writes: string[]): string[] {
    return writes
      .join('')
      .split(/(?=\*\d+\r\n\$7\r\nevalsha\r\n)/i)
      .filter((command) => /^\*\d+\r\n\$7\r\nevalsha/i.test(command) && command.includes(':serving:recent:'));
  }

  it('when a request carries a user, session and anonymous id, then their recent interactions are read in one Redis round trip', async () => {
    const writes = await redisWrites(async () => {
      const res = await rec({ user_id: 'buyer', session_id: 'sess-1', anonymous_id: 'anon-1' });
      expect(res.status).toBe(200);
    });
    // The three keys are read by one script call (EVALSHA with three keys), in one socket write.
    expect(writes.filter((w) => /:serving:recent:/.test(w))).toHaveLength(1);
    const reads = userStateReads(writes);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.match(/:serving:recent:/g)).toHaveLength(3);
  });

  it('when several requests read user state in the same turn, then one script call answers each with its own ids', async () => {
    const store = serving.deps.userState;
    const t0 = Date.now() - 10_000;
    const users = ['turn-1', 'turn-2', 'turn-3', 'turn-4'];
    await store.record(
      users.map((user, i) => outcome({ user_id: user }, `item-of-${user}`, 'view', t0 + i)) as OutcomeEvent[],
    );
    let recents: Array<Array<{ itemId: string }>> = [];
    const writes = await redisWrites(async () => {
      recents = await Promise.all([
        ...users.map((user) => store.read(T, { user_id: user })),
        store.read(T, { user_id: 'turn-1', session_id: 'turn-nobody' }),
        store.read(T, { user_id: 'turn-nobody' }),
      ]);
    });
    expect(recents.map((recent) => recent.map((r) => r.itemId))).toEqual([
      ['item-of-turn-1'],
      ['item-of-turn-2'],
      ['item-of-turn-3'],
      ['item-of-turn-4'],
      ['item-of-turn-1'],
      [],
    ]);
    const reads = userStateReads(writes);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.match(/:serving:recent:/g)).toHaveLength(7);
  });

  it('when an event is older than the state TTL, then it is not stored, and entries that aged past the TTL are trimmed on the next write', async () => {
    const store = serving.deps.userState;
    const ttl = serving.config.SERVING_USER_HISTORY_TTL;
    const now = Date.now();
    const key = store.key(T, 'u', 'replayed');
    const old = outcome({ user_id: 'replayed' }, 'old-item', 'purchase', now - ttl - 60_000);
    const fresh = outcome({ user_id: 'replayed' }, 'fresh-item', 'view', now - 1000);
    expect(await store.record([old, fresh] as OutcomeEvent[], now)).toEqual({ stored: 1, stale: 1 });
    expect((await store.read(T, { user_id: 'replayed' })).map((r) => r.itemId)).toEqual(['fresh-item']);
    // An hour later by the store's clock, the entry of an hour before the cutoff is trimmed when the key is written.
    const later = now + 3_600_000;
    const next = outcome({ user_id: 'replayed' }, 'next-item', 'view', later);
    await serving.redis.redis.zadd(key, now - ttl + 1_000, 'view\u0001aging-item');
    expect(await store.record([next] as OutcomeEvent[], later)).toEqual({ stored: 1, stale: 0 });
    expect((await store.read(T, { user_id: 'replayed' })).map((r) => r.itemId)).toEqual([
      'next-item',
      'fresh-item',
    ]);
    // Through the events stream, the stale event is counted, not stored.
    await xadd(outcome({ user_id: 'replayed-2' }, 'old-item', 'purchase', now - ttl - 60_000));
    await xadd(outcome({ user_id: 'replayed-2' }, 'marker', 'view'));
    await waitFor(async () => (await store.read(T, { user_id: 'replayed-2' })).length > 0, 3000);
    expect((await store.read(T, { user_id: 'replayed-2' })).map((r) => r.itemId)).toEqual(['marker']);
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    expect(metrics).toMatch(/recsys_user_state_events_total\{kind="outcome_older_than_ttl"[^}]*\} [1-9]/);
  });

  it('when ids carry separators and non-ASCII text, then the packed read returns them intact, newest per item across the ids', async () => {
    const store = serving.deps.userState;
    const odd = ['x\u0001y', 'tab\tand\nnewline', 'ünï-✓', 'sep\u0002two'];
    const t0 = Date.now() - 60_000;
    await store.record([
      outcome({ user_id: 'packed' }, odd[0]!, 'view', t0),
      outcome({ user_id: 'packed' }, odd[1]!, 'purchase', t0 + 1000),
      outcome({ user_id: 'packed', session_id: 'packed-s' }, odd[2]!, 'view', t0 + 2000),
      // The session saw odd[0] later than the user did: the newest time wins.
      outcome({ session_id: 'packed-s' }, odd[0]!, 'view', t0 + 3000),
      outcome({ session_id: 'packed-s' }, odd[3]!, 'click', t0 + 500),
    ] as OutcomeEvent[]);
    const recent = await store.read(T, { user_id: 'packed', session_id: 'packed-s' });
    expect(recent).toEqual([
      { type: 'view', itemId: odd[0], at: t0 + 3000 },
      { type: 'view', itemId: odd[2], at: t0 + 2000 },
      { type: 'purchase', itemId: odd[1], at: t0 + 1000 },
      { type: 'click', itemId: odd[3], at: t0 + 500 },
    ]);
    expect(await store.read(T, { user_id: 'nobody-at-all' })).toEqual([]);
  });

  it('when a catalog item is deleted on the events stream, then every replica stops recommending it', async () => {
    expect(ids((await rec({ user_id: 'cat' })).body)).toContain('a');
    await xadd({
      kind: 'catalog.delete',
      event_id: 'cd1',
      tenant_id: T,
      item_id: 'a',
      occurred_at: new Date().toISOString(),
    });
    await waitFor(async () => !ids((await rec({ user_id: 'cat' })).body).includes('a'), 2000, 50);
  });
});

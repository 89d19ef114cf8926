import { createHmac } from 'node:crypto';
import { asService, postJson, startIngest, type Harness } from './helpers.js';

const T = 'acme';
const now = () => new Date().toISOString();

describe('event intake (JSON batches)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startIngest({
      EXPOSURE_HASH_SALT: 'pepper',
      INGEST_MAX_BATCH_SIZE: '50',
      INGEST_RETENTION_DAYS: '30',
    });
  });
  afterAll(() => h.close());

  it('when outcomes are posted, then each is stored once in its day partition and reported per index', async () => {
    const at = now();
    const events = [
      { type: 'click', item_id: 'i1', user_id: 'u1', request_id: 'r1', occurred_at: at },
      {
        event_id: 'o-2',
        type: 'purchase',
        item_id: 'i2',
        user_id: 'u1',
        value: 12.5,
        quantity: 2,
        occurred_at: at,
      },
    ];
    const first = await postJson(`${h.url}/v1/events/outcomes`, { events }, asService(T));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
    expect(first.body.results.map((r: any) => [r.index, r.status])).toEqual([
      [0, 'accepted'],
      [1, 'accepted'],
    ]);
    expect(first.body.results[0].event_id).toMatch(/^[0-9a-f]{64}$/);
    expect(first.body.results[1].event_id).toBe('o-2');

    const again = await postJson(`${h.url}/v1/events/outcomes`, { events }, asService(T));
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    expect(again.body.results[0].event_id).toBe(first.body.results[0].event_id);

    const rows = await h.schema.query(
      `select event_id, user_id, tableoid::regclass::text as part from outcomes where tenant_id = $1 order by event_id`,
      [T],
    );
    expect(rows.rows).toHaveLength(2);
    const day = at.slice(0, 10).replaceAll('-', '');
    for (const row of rows.rows) expect(row.part).toBe(`outcomes_p${day}`);
    // identifiers are stored as HMAC-SHA256(salt, id)
    expect(rows.rows[0].user_id).toBe(createHmac('sha256', 'pepper').update('u1').digest('hex'));
  });

  it('when a batch mixes good and bad events, then the good ones are stored and each bad one is rejected with a precise reason', async () => {
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const events = [
      { type: 'click', item_id: 'ok-1', occurred_at: now() },
      { type: 'click', item_id: 42, occurred_at: now() },
      { type: 'click', occurred_at: now() },
      { type: 'click', item_id: 'x', occurred_at: future },
      { type: 'click', item_id: 'x', occurred_at: old },
      { type: 'click', item_id: 'x', occurred_at: now(), tenant_id: 'other' },
      { type: 'click', item_id: 'x', occurred_at: now(), colour: 'red' },
      'not an object',
      { type: 'click', item_id: 'x', occurred_at: 'yesterday' },
    ];
    const res = await postJson(`${h.url}/v1/events/outcomes`, { events }, asService(T));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 8 });
    const r = res.body.results;
    expect(r[0].status).toBe('accepted');
    expect(r[1]).toMatchObject({ index: 1, status: 'rejected', code: 'RECSYS_EVENT_INVALID' });
    expect(r[1].errors).toEqual([{ pointer: '/item_id', message: expect.stringMatching(/string/) }]);
    expect(r[2].errors).toEqual([{ pointer: '/item_id', message: 'is required' }]);
    expect(r[3]).toMatchObject({ status: 'rejected', code: 'RECSYS_EVENT_IN_FUTURE' });
    expect(r[4]).toMatchObject({ status: 'rejected', code: 'RECSYS_EVENT_TOO_OLD' });
    expect(r[5]).toMatchObject({ status: 'rejected', code: 'RECSYS_EVENT_TENANT_MISMATCH' });
    expect(r[6].errors).toEqual([{ pointer: '/colour', message: 'unknown field' }]);
    expect(r[7]).toMatchObject({ status: 'rejected', reason: 'event must be a JSON object' });
    expect(r[8].errors[0].pointer).toBe('/occurred_at');
    const stored = await h.schema.query(`select item_id from outcomes where item_id in ('ok-1', 'x', '42')`);
    expect(stored.rows).toEqual([{ item_id: 'ok-1' }]);
  });

  it('when the same event appears twice in one batch, then the second is a duplicate', async () => {
    const e = { type: 'view', item_id: 'twice', occurred_at: now() };
    const res = await postJson(`${h.url}/v1/events/outcomes`, { events: [e, e] }, asService(T));
    expect(res.body.results.map((x: any) => x.status)).toEqual(['accepted', 'duplicate']);
    expect(res.body.results[0].event_id).toBe(res.body.results[1].event_id);
  });

  it('when exposures and assignments are posted, then they are stored joinable by request id', async () => {
    const at = now();
    const exp = await postJson(
      `${h.url}/v1/events/exposures`,
      {
        events: [
          {
            request_id: 'req-9',
            surface: 'home',
            user_id: 'u9',
            occurred_at: at,
            items: [
              { item_id: 'a', rank: 1, score: 0.9, propensity: 0.5 },
              { item_id: 'b', rank: 2, score: 0.4 },
            ],
            algo_version: 'blend-1',
            experiment: { id: 'exp1', variant: 'B' },
            context: { device: 'ios' },
          },
        ],
      },
      asService(T),
    );
    expect(exp.body.results[0]).toMatchObject({ status: 'accepted', event_id: 'req-9:recommend' });
    const asg = await postJson(
      `${h.url}/v1/events/assignments`,
      {
        events: [
          { experiment_id: 'exp1', variant: 'B', user_id: 'u9', request_id: 'req-9', occurred_at: at },
        ],
      },
      asService(T),
    );
    expect(asg.body.accepted).toBe(1);
    const joined = await h.schema.query(
      `select e.experiment_variant, a.variant, e.items from exposures e join assignments a using (tenant_id, request_id)`,
    );
    expect(joined.rows).toEqual([
      {
        experiment_variant: 'B',
        variant: 'B',
        items: [
          { item_id: 'a', rank: 1, score: 0.9, propensity: 0.5 },
          { item_id: 'b', rank: 2, score: 0.4 },
        ],
      },
    ]);
  });

  it('when a batch is larger than INGEST_MAX_BATCH_SIZE, then 413 RECSYS_BATCH_TOO_LARGE and nothing is stored', async () => {
    const events = Array.from({ length: 51 }, (_, i) => ({
      type: 'view',
      item_id: `big-${i}`,
      occurred_at: now(),
    }));
    const res = await postJson(`${h.url}/v1/events/outcomes`, { events }, asService(T));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('RECSYS_BATCH_TOO_LARGE');
    expect(
      (await h.schema.query(`select count(*)::int as n from outcomes where item_id like 'big-%'`)).rows[0].n,
    ).toBe(0);
  });

  it('when the body exceeds the byte limit, then 413 RECSYS_PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({
      events: [{ type: 'view', item_id: 'x'.repeat(200), pad: 'y'.repeat(17 * 1024 * 1024) }],
    });
    const res = await postJson(`${h.url}/v1/events/outcomes`, big, asService(T));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('RECSYS_PAYLOAD_TOO_LARGE');
  });

  it('when the body is not a batch, then 400 with the offending field', async () => {
    const res = await postJson(`${h.url}/v1/events/outcomes`, { events: [] }, asService(T));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].pointer).toBe('/events');
    const wrong = await postJson(`${h.url}/v1/events/outcomes`, { events: 'x' }, asService(T));
    expect(wrong.status).toBe(400);
  });

  it('when no credential is presented, then 401; when no tenant is named, then 403', async () => {
    const anon = await postJson(`${h.url}/v1/events/outcomes`, { events: [{}] }, {});
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe('RECSYS_AUTH_REQUIRED');
    const noTenant = await postJson(
      `${h.url}/v1/events/outcomes`,
      { events: [{}] },
      { 'x-service-token': asService(T)['x-service-token']! },
    );
    expect(noTenant.status).toBe(403);
    expect(noTenant.body.code).toBe('RECSYS_TENANT_SCOPE_REQUIRED');
  });
});

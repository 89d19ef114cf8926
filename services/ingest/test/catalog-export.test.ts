import { ExportLine, IngestEvent } from '@recsys/contracts-ingest';
import { asService, parseNdjson, postJson, startIngest, type Harness } from './helpers.js';

const T = 'shop';

async function put(h: Harness, id: string, body: unknown, tenant = T) {
  const res = await fetch(`${h.url}/v1/catalog/items/${encodeURIComponent(id)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...asService(tenant) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function exportText(h: Harness, query: string, tenant = T) {
  const res = await fetch(`${h.url}/v1/exports/events?${query}`, { headers: asService(tenant) });
  return { status: res.status, text: await res.text() };
}

describe('catalog and export', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startIngest({ INGEST_RETENTION_DAYS: '0' });
  });
  afterAll(() => h.close());

  it('when an item is put, replaced with an older change, and deleted, then the state follows occurred_at and a tombstone remains', async () => {
    const t1 = '2026-11-20T10:00:00Z';
    const first = await put(h, 'sku-1', { title: 'Mug', tags: ['kitchen'], price: 3.5, occurred_at: t1 });
    expect(first).toMatchObject({ status: 200, body: { item_id: 'sku-1', status: 'stored' } });
    const stale = await put(h, 'sku-1', { title: 'Old mug', occurred_at: '2026-11-19T10:00:00Z' });
    expect(stale.body.status).toBe('stale');
    const del = await fetch(`${h.url}/v1/catalog/items/sku-1?occurred_at=2026-11-21T00:00:00Z`, {
      method: 'DELETE',
      headers: asService(T),
    });
    expect(del.status).toBe(200);
    expect(((await del.json()) as any).status).toBe('deleted');
    const row = await h.schema.query(
      `select title, tags, price, available, deleted from catalog_items where item_id = 'sku-1'`,
    );
    expect(row.rows).toEqual([
      { title: 'Mug', tags: ['kitchen'], price: 3.5, available: false, deleted: true },
    ]);
    const outbox = await h.schema.query(
      `select split_part(line, E'\\t', 1) as kind from outbox, regexp_split_to_table(events, E'\\n') as line order by id`,
    );
    expect(outbox.rows.map((r) => r.kind)).toEqual(['catalog.upsert', 'catalog.delete']);
  });

  it('when a catalog body has a wrong type, then 400 naming the field', async () => {
    const res = await put(h, 'sku-2', { price: 'cheap' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].pointer).toBe('/price');
  });

  it('when a window is exported, then exactly its stored events come back ordered, joinable by request id, and resumable by cursor', async () => {
    const base = Date.parse('2026-11-22T00:00:00Z');
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    const exposures = Array.from({ length: 6 }, (_, i) => ({
      request_id: `req-${i}`,
      surface: 'home',
      user_id: `u${i}`,
      occurred_at: at(i * 10),
      items: [{ item_id: `i${i}`, rank: 1, score: 0.5 }],
      algo_version: 'v1',
    }));
    const outcomes = exposures.map((e, i) => ({
      type: 'click',
      item_id: `i${i}`,
      user_id: `u${i}`,
      request_id: e.request_id,
      occurred_at: at(i * 10 + 1),
    }));
    await postJson(`${h.url}/v1/events/exposures`, { events: exposures }, asService(T));
    await postJson(`${h.url}/v1/events/outcomes`, { events: outcomes }, asService(T));
    await postJson(
      `${h.url}/v1/events/outcomes`,
      { events: [{ type: 'click', item_id: 'x', occurred_at: at(20) }] },
      asService('other'),
    );

    // window [00:10, 00:40): exposures 1..3 and outcomes 1..3 (the outcome at 00:41 is outside)
    const from = encodeURIComponent(at(10));
    const to = encodeURIComponent(at(40));
    const res = await exportText(h, `from=${from}&to=${to}&types=exposure,outcome`);
    expect(res.status).toBe(200);
    const lines = parseNdjson(res.text);
    for (const line of lines) expect(ExportLine.safeParse(line).success).toBe(true);
    expect(lines.map((l) => `${l.kind}:${l.request_id}`)).toEqual([
      'exposure:req-1',
      'outcome:req-1',
      'exposure:req-2',
      'outcome:req-2',
      'exposure:req-3',
      'outcome:req-3',
    ]);
    expect(lines[0]).toMatchObject({
      v: 1,
      endpoint: 'recommend',
      occurred_at: '2026-11-22T00:10:00.000000Z',
      items: [{ item_id: 'i1', rank: 1, score: 0.5 }],
    });
    const stored = await h.schema.query(
      `select count(*)::int n from (select occurred_at from exposures where tenant_id = $1 union all select occurred_at from outcomes where tenant_id = $1) x
        where occurred_at >= $2 and occurred_at < $3`,
      [T, at(10), at(40)],
    );
    expect(lines).toHaveLength(stored.rows[0].n);

    // resume after the 2nd line with a limit of 3
    const page = parseNdjson(
      (await exportText(h, `from=${from}&to=${to}&types=exposure,outcome&cursor=${lines[1].cursor}&limit=3`))
        .text,
    );
    expect(page.map((l) => l.cursor)).toEqual(lines.slice(2, 5).map((l) => l.cursor));
    const rest = parseNdjson(
      (await exportText(h, `from=${from}&to=${to}&types=exposure,outcome&cursor=${page[2].cursor}`)).text,
    );
    expect(rest.map((l) => l.cursor)).toEqual([lines[5].cursor]);
  });

  it('when catalog changes are exported, then every accepted change appears in occurred_at order in the IngestEvent shape', async () => {
    const res = await exportText(h, `from=2026-11-01T00:00:00Z&to=2026-11-30T00:00:00Z&types=catalog`);
    const lines = parseNdjson(res.text);
    // the stale change is part of the log; replayed in order it is superseded, as it was live
    expect(lines.map((l) => [l.kind, l.item?.title])).toEqual([
      ['catalog.upsert', 'Old mug'],
      ['catalog.upsert', 'Mug'],
      ['catalog.delete', undefined],
    ]);
    for (const { cursor: _c, ...event } of lines) expect(IngestEvent.parse(event)).toBeTruthy();
  });

  it('when the window or cursor is invalid, then precise problems', async () => {
    const inverted = await exportText(h, `from=2026-11-22T01:00:00Z&to=2026-11-22T00:00:00Z`);
    expect(inverted.status).toBe(422);
    expect(JSON.parse(inverted.text).code).toBe('RECSYS_EXPORT_WINDOW_INVALID');
    const cursor = await exportText(h, `from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z&cursor=garbage`);
    expect(cursor.status).toBe(400);
    expect(JSON.parse(cursor.text).code).toBe('RECSYS_EXPORT_CURSOR_INVALID');
    const types = await exportText(h, `from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z&types=clicks`);
    expect(types.status).toBe(400);
    const missing = await exportText(h, `to=2026-11-23T00:00:00Z`);
    expect(missing.status).toBe(400);
  });
});

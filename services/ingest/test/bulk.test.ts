import { gzipSync } from 'node:zlib';
import { packedEntries } from '../src/db/outbox.repository.js';
import { asService, parseNdjson, startIngest, type Harness } from './helpers.js';

const T = 'bulkco';

function lines(n: number, offset = 0): string[] {
  const at = new Date().toISOString();
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      kind: 'outcome',
      type: 'purchase',
      item_id: `it-${offset + i}`,
      user_id: `u${i % 7}`,
      occurred_at: at,
    }),
  );
}

async function bulk(
  h: Harness,
  body: string | Buffer | ReadableStream,
  headers: Record<string, string> = {},
  query = '',
) {
  const res = await fetch(`${h.url}/v1/events/bulk${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...asService(T), ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, type: res.headers.get('content-type'), lines: parseNdjson(await res.text()) };
}

describe('bulk NDJSON import', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startIngest({ INGEST_BULK_CHUNK_SIZE: '100', INGEST_BULK_MAX_LINE_BYTES: '2048' });
  });
  afterAll(() => h.close());

  it('when mixed kinds and bad lines are imported, then each line gets a result with its line number and a summary ends the stream', async () => {
    const at = new Date().toISOString();
    const body = [
      JSON.stringify({ kind: 'outcome', type: 'click', item_id: 'a', request_id: 'r1', occurred_at: at }),
      '',
      JSON.stringify({
        kind: 'exposure',
        request_id: 'r1',
        occurred_at: at,
        items: [{ item_id: 'a', rank: 1, score: 1 }],
        algo_version: 'v1',
      }),
      JSON.stringify({
        kind: 'assignment',
        experiment_id: 'e',
        variant: 'A',
        request_id: 'r1',
        occurred_at: at,
      }),
      '{"kind": "outcome", "type": ',
      JSON.stringify({ kind: 'rating', item_id: 'a' }),
      JSON.stringify({ type: 'click', item_id: 'a', occurred_at: at }),
      JSON.stringify({
        kind: 'outcome',
        type: 'click',
        item_id: 'a',
        occurred_at: at,
        note: 'x'.repeat(3000),
      }),
      JSON.stringify({ kind: 'outcome', type: 'click', item_id: 'a', request_id: 'r1', occurred_at: at }),
    ].join('\r\n');
    const res = await bulk(h, body);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/application\/x-ndjson/);
    const results = res.lines.slice(0, -1);
    expect(results.map((r) => [r.line, r.status, r.code])).toEqual([
      [1, 'accepted', undefined],
      [3, 'accepted', undefined],
      [4, 'accepted', undefined],
      [5, 'rejected', 'RECSYS_LINE_MALFORMED'],
      [6, 'rejected', 'RECSYS_LINE_UNKNOWN_KIND'],
      [7, 'rejected', 'RECSYS_LINE_UNKNOWN_KIND'],
      [8, 'rejected', 'RECSYS_LINE_TOO_LONG'],
      [9, 'duplicate', undefined],
    ]);
    expect(res.lines.at(-1)).toEqual({
      summary: { lines: 8, accepted: 3, duplicate: 1, rejected: 4, complete: true },
    });
    const counts = await h.schema.query(
      `select (select count(*) from outcomes)::int o, (select count(*) from exposures)::int e, (select count(*) from assignments)::int a`,
    );
    expect(counts.rows[0]).toEqual({ o: 1, e: 1, a: 1 });
  });

  it('when a large body is streamed in pieces, then every line is stored once in chunks and re-sending reports duplicates', async () => {
    const all = lines(2500, 1000);
    const encoder = new TextEncoder();
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i >= all.length) return controller.close();
        // odd-sized pieces so lines straddle chunk boundaries
        const piece = all.slice(i, i + 37).join('\n') + '\n';
        i += 37;
        controller.enqueue(encoder.encode(piece.slice(0, 11)));
        controller.enqueue(encoder.encode(piece.slice(11)));
      },
    });
    const first = await bulk(h, stream, {}, '?report=errors');
    expect(first.lines).toEqual([
      { summary: { lines: 2500, accepted: 2500, duplicate: 0, rejected: 0, complete: true } },
    ]);
    const again = await bulk(h, gzipSync(all.join('\n')), { 'content-encoding': 'gzip' });
    expect(again.lines).toHaveLength(2501);
    expect(again.lines.at(-1).summary).toMatchObject({ accepted: 0, duplicate: 2500 });
    const n = await h.schema.query(
      `select count(*)::int n, count(distinct event_id)::int d from outcomes where item_id like 'it-%'`,
    );
    expect(n.rows[0]).toEqual({ n: 2500, d: 2500 });
  });

  it('when chunks mix stored and new events, then only the new ones are accepted and queued for re-publication, in order', async () => {
    const at = new Date().toISOString();
    const line = (i: number) =>
      JSON.stringify({
        kind: 'outcome',
        event_id: `mix-${i}`,
        type: 'purchase',
        item_id: `mix-item-${i}`,
        user_id: ` u${i % 5}`,
        value: i / 10,
        occurred_at: at,
      });
    // The event ids of this test's outbox rows. Chunks commit concurrently, so their rows are put back in line order (by
    // their first event) before they are read one after the other; within a row the order is the lines'.
    const idsOf = async () =>
      (await h.schema.query<{ events: string }>('select events from outbox order by id')).rows
        .map((r) =>
          packedEntries(r.events)
            .split('\n')
            .map((l) => JSON.parse(l.slice(l.indexOf('\t') + 1)).event_id as string),
        )
        .filter((ids) => ids[0]!.startsWith('mix-'))
        .sort((a, b) => Number(a[0]!.slice(4)) - Number(b[0]!.slice(4)))
        .flat();
    const before = (await idsOf()).length;
    // first the even ones below 150, then everything below 300: chunk 1 (lines 1-100) is half stored,
    // chunk 2 a quarter, chunk 3 new
    const evens = Array.from({ length: 75 }, (_, k) => line(2 * k));
    expect((await bulk(h, evens.join('\n'), {}, '?report=errors')).lines.at(-1).summary).toMatchObject({
      accepted: 75,
    });
    const res = await bulk(h, Array.from({ length: 300 }, (_, i) => line(i)).join('\n'));
    const expected = Array.from({ length: 300 }, (_, i) =>
      i < 150 && i % 2 === 0 ? 'duplicate' : 'accepted',
    );
    expect(res.lines.slice(0, -1).map((r) => r.status)).toEqual(expected);
    expect(res.lines.slice(0, -1).map((r) => r.line)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(res.lines.at(-1).summary).toMatchObject({ accepted: 225, duplicate: 75 });
    const fresh = Array.from({ length: 300 }, (_, i) => i).filter((i) => expected[i] === 'accepted');
    expect((await idsOf()).slice(before)).toEqual([
      ...evens.map((_, k) => `mix-${2 * k}`),
      ...fresh.map((i) => `mix-${i}`),
    ]);
    const n = await h.schema.query(`select count(*)::int n from outcomes where event_id like 'mix-%'`);
    expect(n.rows[0].n).toBe(300);
    // the same values whichever way a chunk was inserted (chunk 1 after a failed COPY, chunk 3 by COPY)
    const stored = await h.schema.query(
      `select event_id, user_id, value, item_id from outcomes where event_id in ('mix-1', 'mix-299') order by event_id`,
    );
    expect(stored.rows).toEqual([
      { event_id: 'mix-1', user_id: 'u1', value: 0.1, item_id: 'mix-item-1' },
      { event_id: 'mix-299', user_id: 'u4', value: 29.9, item_id: 'mix-item-299' },
    ]);
  });

  it('when exposures are re-imported with new ones among them, then the new ones are stored with their items and the rest reported duplicate', async () => {
    const at = new Date().toISOString();
    const exposure = (i: number) =>
      JSON.stringify({
        kind: 'exposure',
        request_id: `xr-${i}`,
        occurred_at: at,
        items: [{ item_id: `a\\b\t${i}`, rank: 1, score: 0.5, propensity: 0.25 }],
        algo_version: 'v1',
        context: { device: 'ios' },
      });
    await bulk(h, Array.from({ length: 40 }, (_, i) => exposure(i)).join('\n'), {}, '?report=errors');
    const res = await bulk(
      h,
      Array.from({ length: 80 }, (_, i) => exposure(i)).join('\n'),
      {},
      '?report=errors',
    );
    expect(res.lines.at(-1).summary).toMatchObject({ accepted: 40, duplicate: 40 });
    const rows = await h.schema.query(
      `select event_id, items, context, source from exposures where request_id in ('xr-5', 'xr-65') order by event_id`,
    );
    expect(rows.rows).toEqual(
      [5, 65].map((i) => ({
        event_id: `xr-${i}:recommend`,
        items: [{ item_id: `a\\b\t${i}`, rank: 1, score: 0.5, propensity: 0.25 }],
        context: { device: 'ios' },
        source: 'bulk',
      })),
    );
  });

  it('when the content type is not NDJSON, then 415', async () => {
    const res = await bulk(h, lines(1).join('\n'), { 'content-type': 'text/csv' });
    expect(res.status).toBe(415);
  });
});

describe('bulk chunks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startIngest({ INGEST_BULK_CHUNK_SIZE: '1000', INGEST_BULK_CHUNK_BYTES: '2000' });
  });
  afterAll(() => h.close());

  it('when lines fill INGEST_BULK_CHUNK_BYTES before INGEST_BULK_CHUNK_SIZE, then each chunk is closed at the byte bound', async () => {
    const body = lines(60, 5000);
    // the chunks the byte bound makes: closed by the line that brings them to 2,000 bytes
    const expected: number[] = [];
    let count = 0;
    let bytes = 0;
    for (const line of body) {
      count++;
      bytes += Buffer.byteLength(line);
      if (bytes >= 2000) {
        expected.push(count);
        count = bytes = 0;
      }
    }
    if (count) expected.push(count);
    expect(expected.length).toBeGreaterThan(3);

    const res = await bulk(h, body.join('\n'), {}, '?report=errors');
    expect(res.lines.at(-1).summary).toMatchObject({ lines: 60, accepted: 60 });
    // workers are not started here: the outbox keeps one row per committed chunk
    const rows = await h.schema.query<{ events: string }>('select events from outbox');
    // chunks commit concurrently: the rows are put in line order by their first event
    const chunks = rows.rows
      .map((r) => packedEntries(r.events).split('\n'))
      .map((entries) => ({ first: Number(/"item_id":"it-(\d+)"/.exec(entries[0]!)![1]), n: entries.length }))
      .sort((a, b) => a.first - b.first);
    expect(chunks.map((c) => c.n)).toEqual(expected);
    expect(chunks[0]!.first).toBe(5000);
  });
});

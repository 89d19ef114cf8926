import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { InputRecord } from '../src/domain/events.js';
import { readExport, readJsonl, readOnlineRetail } from '../src/domain/input/readers.js';
import { DAY, exportLines, START, writeJsonl } from './support/fixtures.js';
import { startExportStub } from './support/export-stub.js';

const TOKEN = 'test-service-token-0123456789';

async function collect(records: AsyncIterable<InputRecord>): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

describe('input readers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'publisher-readers-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const lines = exportLines({ days: 3, users: 4, clusters: 2, itemsPerCluster: 3 });
  const window = { start: START, end: START + 3 * DAY };

  it('when the export is paged, then the reader follows cursors until a short page and yields every line once', async () => {
    const stub = await startExportStub({ serviceToken: TOKEN, lines });
    try {
      const records = await collect(
        readExport({
          baseUrl: stub.url,
          serviceToken: TOKEN,
          tenant: 'acme',
          window,
          pageSize: 7,
          retries: 0,
        }),
      );
      expect(records).toHaveLength(lines.length); // 6 catalog + 36 outcomes
      expect(records.filter((r) => r.kind === 'event')).toHaveLength(36);
      expect(stub.requests.length).toBe(Math.floor(lines.length / 7) + 1);
      expect(stub.requests[1]!.get('cursor')).toBe('c6');
      expect(stub.requests[0]!.get('from')).toBe(new Date(START).toISOString());
    } finally {
      await stub.close();
    }
  });

  it('when the connection drops mid-line, then the reader resumes after the last complete line without loss or duplicates', async () => {
    const stub = await startExportStub({ serviceToken: TOKEN, lines, failAfter: 10 });
    try {
      const records = await collect(
        readExport({
          baseUrl: stub.url,
          serviceToken: TOKEN,
          tenant: 'acme',
          window,
          pageSize: 1000,
          retries: 2,
          retryDelayMs: 1,
        }),
      );
      expect(records).toHaveLength(lines.length);
      expect(stub.requests.map((q) => q.get('cursor'))).toEqual([null, 'c9']);
      const ids = records.map((r) =>
        r.kind === 'event' ? `${r.event.itemId}@${r.event.at}` : r.kind === 'catalog' ? r.item.itemId : '',
      );
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await stub.close();
    }
  });

  it('when the service token is wrong, then the reader fails at once with the status', async () => {
    const stub = await startExportStub({ serviceToken: TOKEN, lines });
    try {
      await expect(
        collect(
          readExport({
            baseUrl: stub.url,
            serviceToken: 'wrong-token-0123456789',
            tenant: 'acme',
            window,
            pageSize: 10,
            retries: 3,
          }),
        ),
      ).rejects.toThrow(/export answered 401/);
      expect(stub.requests).toHaveLength(0);
    } finally {
      await stub.close();
    }
  });

  it('when a JSONL file holds the same lines, then it yields the same records', async () => {
    const path = writeJsonl(join(dir, 'events.jsonl'), lines);
    const records = await collect(readJsonl(path));
    expect(records).toHaveLength(lines.length);
    writeFileSync(
      join(dir, 'bad.jsonl'),
      '{"kind":"outcome","type":"view","item_id":"a","occurred_at":"2026-01-01T00:00:00Z"}\nnot json\n',
    );
    await expect(collect(readJsonl(join(dir, 'bad.jsonl')))).rejects.toThrow(/^line 2: invalid JSON/);
  });

  it('when reading an Online Retail CSV (gzip), then purchases map per the dataset README and cancellations/anonymous lines are dropped', async () => {
    const csv = [
      'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
      '536365,85123a ,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      '536365,71053,"SET 2, RED TEA TOWELS",6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
      'C536379,71053,"SET 2, RED TEA TOWELS",-1,2010-12-01 09:41:00,3.39,17850.0,United Kingdom',
      '536380,22086,PAPER CHAIN KIT,2,2010-12-01 09:45:00,2.95,,United Kingdom',
      '536381,22086,PAPER CHAIN KIT,0,2010-12-01 09:46:00,2.95,12345.0,United Kingdom',
    ].join('\n');
    const path = join(dir, 'retail.csv.gz');
    writeFileSync(path, gzipSync(csv));
    const records = await collect(readOnlineRetail(path));
    const events = records
      .filter((r) => r.kind === 'event')
      .map((r) => (r.kind === 'event' ? r.event : null));
    expect(events).toEqual([
      {
        type: 'purchase',
        itemId: '85123A',
        userId: '17850',
        sessionId: '536365',
        at: Date.parse('2010-12-01T08:26:00Z'),
        quantity: 6,
      },
      {
        type: 'purchase',
        itemId: '71053',
        userId: '17850',
        sessionId: '536365',
        at: Date.parse('2010-12-01T08:26:00Z'),
        quantity: 6,
      },
    ]);
    const catalog = records.flatMap((r) => (r.kind === 'catalog' ? [r.item] : []));
    expect(catalog.map((c) => c.itemId)).toEqual(['85123A', '71053', '22086']);
    expect(catalog[1]).toEqual({
      itemId: '71053',
      available: true,
      tags: ['red', 'tea', 'towels'],
      title: 'SET 2, RED TEA TOWELS',
      price: 3.39,
    });
  });
});

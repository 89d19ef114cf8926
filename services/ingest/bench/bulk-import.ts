/**
 * Benchmark (not a test): the Online Retail purchases imported through `POST /v1/events/bulk` end to end,
 * next to a `COPY` of the same rows into an equivalent table (same columns, day partitions, primary key and
 * export index), in the same run against the same Postgres.
 *
 *   pnpm --filter @recsys/ingest run bench            (from /work/main; env: DATABASE_URL, REDIS_URL)
 *
 * Ingest runs as a child process (`node --conditions=source --import tsx src/main.ts`) on its own fresh schema;
 * this process parses the CSV, streams NDJSON to it and reads the streamed summary. Everything the run creates
 * (schemas, stream) is dropped at the end.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyValue } from '../src/db/events.repository.js';
import { parseInstant } from '../src/domain/time.js';

const DATASET = process.env.BENCH_DATASET ?? '/work/shared/datasets/online-retail/online-retail.csv.gz';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'bench-service-token-0123456789';
const TENANT = 'retail';

interface Purchase {
  line: number;
  item_id: string;
  user_id: string;
  session_id: string;
  quantity: number;
  value: number;
  occurred_at: string;
}

function parseCsvLine(text: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** The mapping of the dataset README: purchases with a customer, Quantity > 0, invoice not starting with C. */
async function loadPurchases(): Promise<Purchase[]> {
  const rl = createInterface({ input: createReadStream(DATASET).pipe(createGunzip()), crlfDelay: Infinity });
  const out: Purchase[] = [];
  let line = 0;
  for await (const text of rl) {
    line++;
    if (line === 1 || !text) continue;
    const [invoice, stock, , qty, date, price, customer] = parseCsvLine(text);
    const quantity = Number(qty);
    if (!customer || !(quantity > 0) || invoice!.startsWith('C')) continue;
    out.push({
      line,
      item_id: stock!.trim().toUpperCase(),
      user_id: customer.replace(/\.0$/, ''),
      session_id: invoice!,
      quantity,
      value: Math.round(quantity * Number(price) * 100) / 100,
      occurred_at: `${date!.replace(' ', 'T')}Z`,
    });
  }
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('ingest did not become ready');
}

function ndjson(purchases: Purchase[]): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i >= purchases.length) return void this.push(null);
      const lines: string[] = [];
      for (let k = 0; k < 2000 && i < purchases.length; k++, i++) {
        const p = purchases[i]!;
        lines.push(
          JSON.stringify({
            kind: 'outcome',
            event_id: `online-retail:${p.line}`,
            type: 'purchase',
            item_id: p.item_id,
            user_id: p.user_id,
            session_id: p.session_id,
            surface: 'home',
            value: p.value,
            quantity: p.quantity,
            occurred_at: p.occurred_at,
          }),
        );
      }
      this.push(lines.join('\n') + '\n');
    },
  });
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function main(): Promise<void> {
  const suffix = Date.now().toString(36);
  const schema = `bench_ingest_${suffix}`;
  const copySchema = `bench_copy_${suffix}`;
  const prefix = `bench:${suffix}:`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  const redis = new Redis(REDIS_URL);

  const t0 = process.hrtime.bigint();
  const purchases = (await loadPurchases()).slice(0, Number(process.env.BENCH_LIMIT ?? Infinity));
  console.log(`parsed ${purchases.length} purchase lines in ${ms(t0).toFixed(0)} ms`);

  const port = await freePort();
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--conditions=source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: new URL('..', import.meta.url).pathname,
      env: {
        ...process.env,
        DATABASE_URL,
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        INGEST_DB_SCHEMA: schema,
        INGEST_PORT: String(port),
        INGEST_HOST: '127.0.0.1',
        MIGRATE_ON_START: 'true',
        SERVICE_TOKEN: TOKEN,
        INGEST_TENANT_CHECK: 'false',
        INGEST_CONTROL_ENABLED: 'false',
        INGEST_CONSUMER_ENABLED: 'false',
        INGEST_RETENTION_DAYS: '0',
        INGEST_EVENTS_STREAM_MAXLEN: '10000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url);

    // ---- ingest, end to end ----
    const t1 = process.hrtime.bigint();
    const res = await fetch(`${url}/v1/events/bulk?report=errors`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'x-service-token': TOKEN, 'x-org-id': TENANT },
      body: Readable.toWeb(ndjson(purchases)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const lines = (await res.text()).trim().split('\n');
    const ingestMs = ms(t1);
    const summary = JSON.parse(lines.at(-1)!) as { summary?: Record<string, number> };
    if (!summary.summary) throw new Error(`import did not complete: ${lines.at(-1)}`);
    const stored = Number((await admin.query(`select count(*) n from "${schema}".outcomes`)).rows[0].n);
    // the relay re-publishes on recsys.events.v1 concurrently; report when the outbox is empty
    const relay = process.env.INGEST_OUTBOX_ENABLED !== 'false';
    while (relay && Number((await admin.query(`select count(*) n from "${schema}".outbox`)).rows[0].n) > 0) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const publishedMs = ms(t1);

    // ---- COPY of the same rows into an equivalent table ----
    await admin.query(`create schema "${copySchema}"`);
    await admin
      .query(
        `create table "${copySchema}".outcomes (like "${schema}".outcomes including all) partition by range (occurred_day)`,
      )
      .catch(async () => {
        // `like` cannot copy a partitioned primary key in every version: spell it out
        await admin.query(`create table "${copySchema}".outcomes (
        tenant_id text not null, event_id text collate "C" not null, occurred_day date not null,
        occurred_at timestamptz not null, type text not null, item_id text not null, user_id text,
        anonymous_id text, session_id text, request_id text, surface text, value double precision,
        quantity double precision, ingested_at timestamptz not null default now(),
        primary key (tenant_id, event_id, occurred_day)) partition by range (occurred_day)`);
        await admin.query(`create index on "${copySchema}".outcomes (tenant_id, occurred_at, event_id)`);
      });
    const days = [...new Set(purchases.map((p) => parseInstant(p.occurred_at)!.day))].sort();
    const t2 = process.hrtime.bigint();
    for (const day of days) {
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      await admin.query(
        `create table "${copySchema}"."outcomes_p${day.replaceAll('-', '')}" partition of "${copySchema}".outcomes for values from ('${day}') to ('${next}')`,
      );
    }
    const partitionsMs = ms(t2);
    const t3 = process.hrtime.bigint();
    const cols = [
      'tenant_id',
      'event_id',
      'occurred_day',
      'occurred_at',
      'type',
      'item_id',
      'user_id',
      'session_id',
      'surface',
      'value',
      'quantity',
    ];
    const copy = admin.query(copyFrom(`copy "${copySchema}".outcomes (${cols.join(', ')}) from stdin`));
    let i = 0;
    const source = new Readable({
      read() {
        if (i >= purchases.length) return void this.push(null);
        const out: string[] = [];
        for (let k = 0; k < 2000 && i < purchases.length; k++, i++) {
          const p = purchases[i]!;
          const at = parseInstant(p.occurred_at)!;
          out.push(
            [
              TENANT,
              `online-retail:${p.line}`,
              at.day,
              at.iso,
              'purchase',
              p.item_id,
              p.user_id,
              p.session_id,
              'home',
              p.value,
              p.quantity,
            ]
              .map(copyValue)
              .join('\t'),
          );
        }
        this.push(out.join('\n') + '\n');
      },
    });
    await pipeline(source, copy);
    const copyMs = ms(t3);
    const copied = Number((await admin.query(`select count(*) n from "${copySchema}".outcomes`)).rows[0].n);

    const rate = (n: number, t: number) => Math.round((n / t) * 1000);
    const ingestRate = rate(purchases.length, ingestMs);
    const copyRate = rate(copied, copyMs);
    const copyWithPartitionsRate = rate(copied, copyMs + partitionsMs);
    console.log(JSON.stringify(summary.summary));
    console.log(
      [
        `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
        `events: ${purchases.length} purchase lines, ${days.length} days; stored by ingest: ${stored}; copied: ${copied}`,
        `ingest bulk endpoint: ${ingestMs.toFixed(0)} ms → ${ingestRate} events/s` +
          (relay
            ? ` (outbox drained to recsys.events.v1 after ${publishedMs.toFixed(0)} ms)`
            : ' (outbox relay disabled)'),
        `COPY: ${copyMs.toFixed(0)} ms → ${copyRate} rows/s (plus ${partitionsMs.toFixed(0)} ms creating ${days.length} day partitions → ${copyWithPartitionsRate} rows/s)`,
        `ratio ingest / COPY: ${(ingestRate / copyRate).toFixed(2)} (vs COPY incl. partitions: ${(ingestRate / copyWithPartitionsRate).toFixed(2)})`,
      ].join('\n'),
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.query(`drop schema if exists "${copySchema}" cascade`);
    await admin.end();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

await main();

/**
 * Benchmark (not a test): the Online Retail purchases imported through `POST /v1/events/bulk` end to end,
 * next to a `COPY` of the same rows into an equivalent table (same columns, day partitions, primary key and
 * export index), in the same run against the same Postgres.
 *
 *   pnpm --filter @recsys/ingest run bench            (from /work/main; env: DATABASE_URL, REDIS_URL)
 *
 * Ingest runs as a child process (`node --conditions=source --import tsx src/main.ts`) on its own fresh schema;
 * this process parses the CSV, streams NDJSON to it and reads the streamed summary. The purchases are imported
 * twice, for two tenants: the first import creates the 305 day partitions as it goes, the second finds them
 * present. The `COPY` creates its partitions first (timed apart), so each import has a `COPY` doing the same
 * work to compare with. Before each timed phase Postgres is let settle (autovacuum done, a checkpoint), and each
 * phase reports the CPU time Postgres, Redis, ingest and this client spent in it. Everything the run creates
 * (schemas, stream) is dropped at the end.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Seconds of CPU (user + system) by process name so far: Postgres, Redis, node; from /proc (Linux). */
function processCpu(): Record<'postgres' | 'redis' | 'node', number> {
  const totals = { postgres: 0, redis: 0, node: 0 };
  if (!existsSync('/proc')) return totals;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    const key =
      name === 'postgres'
        ? 'postgres'
        : name === 'redis-server'
          ? 'redis'
          : name === 'node'
            ? 'node'
            : undefined;
    if (key) totals[key] += ticks / 100; // USER_HZ
  }
  return totals;
}

/** CPU seconds spent in `run` by Postgres, Redis, this process and the other node processes (ingest). */
async function withCpu<T>(run: () => Promise<T>): Promise<[T, string]> {
  const before = processCpu();
  const self = process.cpuUsage();
  const result = await run();
  const after = processCpu();
  const bench = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(self));
  const ingest = after.node - before.node - bench;
  const cpu =
    `CPU s: postgres ${(after.postgres - before.postgres).toFixed(1)}, redis ${(after.redis - before.redis).toFixed(1)}, ` +
    `ingest ${ingest.toFixed(1)}, this client ${bench.toFixed(1)}`;
  return [result, cpu];
}

interface ImportRun {
  summary: Record<string, number>;
  /** Until the streamed summary line: every chunk committed. */
  ms: number;
  /** Until the outbox was empty (every accepted event on recsys.events.v1); undefined with the relay off. */
  publishedMs: number | undefined;
  stored: number;
}

/**
 * Lets Postgres finish what the phase before left it, so that a timed phase does not share the host with it:
 * waits (up to a minute) until no autovacuum worker runs, then writes a checkpoint (where the role may) so the
 * phase does not pay for flushing the pages the one before dirtied.
 */
async function settle(admin: pg.Client): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await admin.query(
      `select count(*) n from pg_stat_activity where backend_type = 'autovacuum worker'`,
    );
    if (Number(rows[0].n) === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin.query('checkpoint').catch(() => undefined);
}

/**
 * One import of `purchases` for `tenant` through `POST /v1/events/bulk`, sent with `node:http` (a light client:
 * it shares the host's cores with ingest and Postgres).
 */
async function importThroughIngest(
  url: string,
  tenant: string,
  purchases: Purchase[],
  admin: pg.Client,
  schema: string,
): Promise<ImportRun> {
  const start = process.hrtime.bigint();
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      `${url}/v1/events/bulk?report=errors`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', 'x-service-token': TOKEN, 'x-org-id': tenant },
      },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    pipeline(ndjson(purchases), req).catch(reject);
  });
  const elapsed = ms(start);
  const last = body.trim().split('\n').at(-1)!;
  const { summary } = JSON.parse(last) as { summary?: Record<string, number> };
  if (!summary) throw new Error(`import did not complete: ${last}`);
  const count = async (sql: string, params: string[] = []) =>
    Number((await admin.query(`select count(*) n from ${sql}`, params)).rows[0].n);
  const stored = await count(`"${schema}".outcomes where tenant_id = $1`, [tenant]);
  // the relay re-publishes on recsys.events.v1 concurrently; report when the outbox is empty
  const relay = process.env.INGEST_OUTBOX_ENABLED !== 'false';
  while (relay && (await count(`"${schema}".outbox`)) > 0) await new Promise((r) => setTimeout(r, 100));
  return { summary, ms: elapsed, publishedMs: relay ? ms(start) : undefined, stored };
}

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

    // ---- ingest, end to end: first creating its day partitions, then (another tenant) into them ----
    await settle(admin);
    const [onDemand, onDemandCpu] = await withCpu(() =>
      importThroughIngest(url, TENANT, purchases, admin, schema),
    );
    await settle(admin);
    const [present, presentCpu] = await withCpu(() =>
      importThroughIngest(url, `${TENANT}-2`, purchases, admin, schema),
    );

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
    await settle(admin);
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
    const [, copyCpu] = await withCpu(() => pipeline(source, copy));
    const copyMs = ms(t3);
    const copied = Number((await admin.query(`select count(*) n from "${copySchema}".outcomes`)).rows[0].n);

    const rate = (n: number, t: number) => Math.round((n / t) * 1000);
    const copyRate = rate(copied, copyMs);
    const copyWithPartitionsRate = rate(copied, copyMs + partitionsMs);
    const line = (run: ImportRun) =>
      `${run.ms.toFixed(0)} ms → ${rate(purchases.length, run.ms)} events/s, ${run.stored} stored` +
      (run.publishedMs === undefined
        ? ' (outbox relay disabled)'
        : ` (outbox drained to recsys.events.v1 after ${run.publishedMs.toFixed(0)} ms)`);
    const ratio = (run: ImportRun, baseline: number) =>
      (rate(purchases.length, run.ms) / baseline).toFixed(2);
    console.log(JSON.stringify(onDemand.summary));
    console.log(
      [
        `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
        `events: ${purchases.length} purchase lines, ${days.length} days; copied: ${copied}`,
        `ingest, creating the day partitions: ${line(onDemand)}`,
        `  ${onDemandCpu}`,
        `ingest, day partitions present:      ${line(present)}`,
        `  ${presentCpu}`,
        `COPY: ${copyMs.toFixed(0)} ms → ${copyRate} rows/s (plus ${partitionsMs.toFixed(0)} ms creating ${days.length} day partitions → ${copyWithPartitionsRate} rows/s)`,
        `  ${copyCpu}`,
        `ratio, partitions present: ingest ${ratio(present, copyRate)} of COPY`,
        `ratio, partitions created: ingest ${ratio(onDemand, copyWithPartitionsRate)} of COPY including partition creation`,
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

/**
 * Acceptance: ingest (a child process) is killed with SIGKILL while it is in the middle of a bulk import and in
 * the middle of consuming the exposure stream. Every event it had acknowledged (bulk lines reported accepted,
 * stream entries XACKed) is stored exactly once; after a restart the rest is stored, still exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { StreamProducer } from '@recsys/platform/streams';
import { createTestRedis, createTestSchema, waitFor, type TestRedis, type TestSchema } from '@recsys/testing';
import { SERVICE_TOKEN, startIngest } from './helpers.js';

const T = 'crashco';
const N = 12_000; // bulk lines
const M = 20_000; // stream entries

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

function line(i: number, at: string): string {
  return JSON.stringify({
    kind: 'outcome',
    event_id: `bulk-${i}`,
    type: 'purchase',
    item_id: `it-${i % 500}`,
    user_id: `u-${i % 97}`,
    occurred_at: at,
  });
}

/** NDJSON body; with `gate`, lines from `holdAt` on are produced only once `gate` resolves (never, here). */
function ndjsonBody(at: string, holdAt = Infinity, gate?: Promise<void>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i >= N) return controller.close();
      if (i >= holdAt && gate) await gate;
      const batch: string[] = [];
      for (let k = 0; k < 200 && i < N; k++, i++) batch.push(line(i, at));
      controller.enqueue(encoder.encode(batch.join('\n') + '\n'));
    },
  });
}

function exposure(i: number, at: string) {
  return {
    v: 1,
    event_id: `req-${i}:recommend`,
    request_id: `req-${i}`,
    tenant_id: T,
    surface: 'home',
    segment: 'default',
    endpoint: 'recommend',
    user_id: `u-${i % 50}`,
    occurred_at: at,
    items: [{ item_id: `it-${i % 300}`, rank: 1, score: 0.5 }],
    algo_version: 'v1',
  };
}

describe('crash safety (kill -9)', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    schema = await createTestSchema('ingest_crash');
    redis = await createTestRedis();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await redis.cleanup();
    await schema.drop();
  });

  it('when ingest is killed during a bulk import and stream consumption, then every acknowledged event is stored exactly once, and after a restart all are', async () => {
    const at = new Date().toISOString();
    const stream = `${redis.prefix}recsys.exposures.v1`;
    const producer = new StreamProducer(redis.redis, stream, 1_000_000);
    const entryIds: string[] = [];
    for (let start = 0; start < M; start += 2000) {
      const batch = Array.from({ length: 2000 }, (_, k) => ({
        type: 'exposure',
        payload: exposure(start + k, at),
      }));
      entryIds.push(...(await producer.publishMany(batch)));
    }

    const port = await freePort();
    child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: `${__dirname}/..`,
      env: {
        ...process.env,
        DATABASE_URL: schema.url,
        INGEST_DB_SCHEMA: schema.schema,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.prefix,
        SERVICE_TOKEN,
        MIGRATE_ON_START: 'true',
        INGEST_TENANT_CHECK: 'false',
        INGEST_CONTROL_ENABLED: 'false',
        INGEST_RETENTION_DAYS: '0',
        INGEST_BULK_CHUNK_SIZE: '250',
        INGEST_CONSUMER_NAME: 'doomed',
        INGEST_CONSUMER_BATCH_SIZE: '50',
        INGEST_CONSUMER_BLOCK: '100ms',
        INGEST_PORT: String(port),
        INGEST_HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child!.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 60_000, 100);

    const exposures = async () =>
      (await schema.query(`select count(*)::int n from exposures`)).rows[0].n as number;
    const acked = new Map<number, string>();
    let sawSummary = false;
    let killedAt = -1;
    // the body stops after 6000 lines and never resumes: the import is still in progress when the process dies
    const never = new Promise<void>(() => undefined);
    try {
      const res = await fetch(`${url}/v1/events/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', 'x-service-token': SERVICE_TOKEN, 'x-org-id': T },
        body: ndjsonBody(at, 6000, never),
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const part of parts) {
          const result = JSON.parse(part);
          if (result.summary) sawSummary = true;
          else if (result.status === 'accepted' || result.status === 'duplicate')
            acked.set(result.line, result.event_id);
        }
        if (killedAt < 0 && acked.size >= 3000) {
          await waitFor(async () => (await exposures()) >= 1000, 60_000, 20);
          killedAt = await exposures();
          child.kill('SIGKILL');
          expect(await exited).toBe('SIGKILL');
        }
      }
    } catch {
      // the connection dies with the process
    }
    expect(killedAt).toBeGreaterThan(0);
    expect(sawSummary).toBe(false);
    expect(acked.size).toBeGreaterThanOrEqual(3000);
    expect(acked.size).toBeLessThan(N);

    // 1. every bulk line reported as stored is stored exactly once
    const outcomeRows = await schema.query(
      `select event_id, count(*)::int n from outcomes group by event_id`,
    );
    const outcomeCounts = new Map(outcomeRows.rows.map((r) => [r.event_id as string, r.n as number]));
    for (const [lineNo, eventId] of acked) {
      expect(eventId).toBe(`bulk-${lineNo - 1}`);
      expect(outcomeCounts.get(eventId)).toBe(1);
    }
    const outcomesBefore = outcomeCounts.size;

    // 2. every XACKed stream entry is stored exactly once; the consumer was mid-stream
    const storedExposures = await exposures();
    expect(storedExposures).toBeLessThan(M);
    const groups = (await redis.redis.xinfo('GROUPS', stream)) as string[][];
    const info = groups.map((g) => Object.fromEntries(pairs(g))).find((g) => g.name === 'ingest')!;
    const lastDelivered = info['last-delivered-id'] as string;
    const pendingIds = new Set(
      ((await redis.redis.xpending(stream, 'ingest', '-', '+', M)) as [string][]).map((p) => p[0]),
    );
    const ackedEntries = entryIds
      .map((id, i) => ({ id, i }))
      .filter(({ id }) => compareIds(id, lastDelivered) <= 0 && !pendingIds.has(id));
    expect(ackedEntries.length).toBeGreaterThanOrEqual(1000 - 50);
    const exposureRows = await schema.query(
      `select event_id, count(*)::int n from exposures group by event_id`,
    );
    const exposureCounts = new Map(exposureRows.rows.map((r) => [r.event_id as string, r.n as number]));
    for (const { i } of ackedEntries) expect(exposureCounts.get(`req-${i}:recommend`)).toBe(1);

    // 3. restart (a new instance; another consumer name re-claims the dead one's pending entries)
    const restarted = await startIngest(
      {
        INGEST_CONSUMER_NAME: 'survivor',
        INGEST_CONSUMER_BATCH_SIZE: '1000',
        INGEST_CONSUMER_CLAIM_IDLE: '1s',
        INGEST_CONSUMER_BLOCK: '100ms',
        INGEST_OUTBOX_ENABLED: 'false',
        INGEST_CONTROL_ENABLED: 'false',
        INGEST_BULK_CHUNK_SIZE: '2000',
      },
      undefined,
      { schema, redis },
    );
    try {
      restarted.deps.startWorkers();
      const res = await fetch(`${restarted.url}/v1/events/bulk?report=errors`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', 'x-service-token': SERVICE_TOKEN, 'x-org-id': T },
        body: ndjsonBody(at),
        duplex: 'half',
      } as RequestInit);
      expect(JSON.parse((await res.text()).trim())).toEqual({
        summary: {
          lines: N,
          accepted: N - outcomesBefore,
          duplicate: outcomesBefore,
          rejected: 0,
          complete: true,
        },
      });
      await waitFor(
        async () => (await exposures()) === M && (await redis.redis.xpending(stream, 'ingest'))[0] === 0,
        90_000,
        200,
      );
      const totals = await schema.query(
        `select (select count(*)::int from outcomes) o, (select count(distinct event_id)::int from outcomes) od,
                (select count(*)::int from exposures) e, (select count(distinct event_id)::int from exposures) ed`,
      );
      expect(totals.rows[0]).toEqual({ o: N, od: N, e: M, ed: M });
    } finally {
      await restarted.close();
    }
  }, 170_000);
});

function pairs(list: string[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push([list[i]!, list[i + 1]]);
  return out;
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}

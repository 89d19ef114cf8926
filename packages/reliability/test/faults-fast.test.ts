/**
 * Fast fault tests (run by CI through `pnpm test`): one private stack — embedded Postgres on :54340,
 * its own redis-server, services on 19000-19003 — broken in four ways. Figures are printed and written to
 * packages/reliability/results/faults-fast.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import {
  createTenantWithKey,
  publishSignals,
  readyz,
  sleep,
  startFaultStack,
  startEventLoad,
  startLoad,
  summarize,
  waitUntil,
  type EventLoad,
  type FaultStack,
} from '../src/harness.js';

const BASE_PORT = Number(process.env.FAULTS_BASE_PORT ?? 19000);
const PG_PORT = Number(process.env.FAULTS_PG_PORT ?? 54340);
const TENANT = 'faultco';
const results: Record<string, unknown> = {};

jest.setTimeout(240_000);

describe('faults (fast)', () => {
  let fs: FaultStack;
  let db: pg.Client;
  let redis: Redis;
  const prefix = 'faults:';

  beforeAll(async () => {
    fs = await startFaultStack({
      name: 'faults',
      basePort: BASE_PORT,
      pgPort: PG_PORT,
      env: {
        INGEST_CONSUMER_CLAIM_IDLE: '3s',
        INGEST_CONSUMER_BLOCK: '200ms',
        // chunks well below the bulk import's 20,000 lines, so results arrive (and the kill lands) mid-import
        INGEST_BULK_CHUNK_SIZE: '1000',
        SERVING_SIGNAL_REFRESH_INTERVAL: '2s',
      },
      log: (m) => process.stdout.write(`[stack] ${m}\n`),
    });
    db = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${PG_PORT}/recsys` });
    await db.connect();
    redis = new Redis(fs.redis.url, { maxRetriesPerRequest: null });
    await createTenantWithKey(fs, TENANT);
    await publishSignals(fs, TENANT, 'home', 'v1', { a: 10, b: 5, c: 3, d: 1 });
  }, 300_000);

  afterAll(async () => {
    const dir = join(__dirname, '..', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'faults-fast.json'),
      JSON.stringify({ at: new Date().toISOString(), results }, null, 2),
    );
    process.stdout.write(`faults-fast results: ${JSON.stringify(results, null, 2)}\n`);
    redis?.disconnect();
    await db?.end().catch(() => undefined);
    await fs?.stop();
  }, 120_000);

  const service = () => ({ 'x-service-token': fs.serviceToken, 'x-org-id': TENANT });

  /** Every acknowledged event of an event load stored exactly once; figures for the results file. */
  async function checkEvents(events: EventLoad) {
    const acked = events.acked();
    const counts = await countOutcomes(acked);
    const lost = acked.filter((id) => !counts.has(id));
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    const unacked = events.unacked();
    const unackedStored = (await countOutcomes(unacked)).size;
    return { acked: acked.length, lost: lost.length, duplicated, unacked: unacked.length, unackedStored };
  }

  async function countOutcomes(ids: string[]): Promise<Map<string, number>> {
    const rows = await db.query<{ event_id: string; n: number }>(
      'select event_id, count(*)::int n from ingest.outcomes where tenant_id = $1 and event_id = any($2) group by event_id',
      [TENANT, ids],
    );
    return new Map(rows.rows.map((r) => [r.event_id, r.n]));
  }

  it('when ingest is killed -9 during a bulk import, then every acknowledged line is stored exactly once and re-importing completes without duplicates', async () => {
    const total = 20_000;
    const at = new Date().toISOString();
    const line = (i: number) =>
      JSON.stringify({
        kind: 'outcome',
        event_id: `bulk-${i}`,
        type: 'view',
        item_id: `it-${i % 50}`,
        user_id: `u${i % 97}`,
        occurred_at: at,
      });
    const acked = new Set<string>();
    let killedAt = 0;
    const url = new URL(`${fs.urls.ingest}/v1/events/bulk?report=all`);
    // Stream the body slowly so the kill lands mid-import; read per-line results as they arrive.
    const done = new Promise<{ error?: string; complete: boolean }>((resolve) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: 'POST',
          headers: { ...service(), 'content-type': 'application/x-ndjson' },
        },
        (res) => {
          let buffer = '';
          let complete = false;
          res.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const text = buffer.slice(0, nl);
              buffer = buffer.slice(nl + 1);
              if (!text.trim()) continue;
              const parsed = JSON.parse(text) as { status?: string; event_id?: string; summary?: unknown };
              if (parsed.summary) complete = true;
              else if ((parsed.status === 'accepted' || parsed.status === 'duplicate') && parsed.event_id)
                acked.add(parsed.event_id);
            }
          });
          res.on('end', () => resolve({ complete }));
          res.on('error', (e) => resolve({ error: e.message, complete }));
        },
      );
      req.on('error', (e) => resolve({ error: e.message, complete: false }));
      void (async () => {
        for (let i = 0; i < total; i += 200) {
          const chunk =
            Array.from({ length: Math.min(200, total - i) }, (_, j) => line(i + j)).join('\n') + '\n';
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          await sleep(20);
          if (req.destroyed) return;
        }
        req.end();
      })();
    });
    await waitUntil(() => acked.size >= 2000, 120_000, '2000 acknowledged bulk lines');
    await fs.kill9('ingest');
    killedAt = acked.size;
    const outcome = await done;
    expect(outcome.complete).toBe(false);
    const ackedIds = [...acked];
    const t0 = Date.now();
    await fs.restart('ingest');
    const restartSeconds = (Date.now() - t0) / 1000;

    const counts = await countOutcomes(ackedIds);
    const lost = ackedIds.filter((id) => !counts.has(id));
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);

    // Resume: send the whole file again; stored lines come back as duplicates, the rest are accepted.
    const all = Array.from({ length: total }, (_, i) => line(i)).join('\n');
    const again = await fetch(`${fs.urls.ingest}/v1/events/bulk`, {
      method: 'POST',
      headers: { ...service(), 'content-type': 'application/x-ndjson' },
      body: all,
    });
    const lines = (await again.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as any);
    const summary = lines.at(-1).summary;
    expect(summary.complete).toBe(true);
    expect(summary.accepted + summary.duplicate).toBe(total);
    expect(summary.duplicate).toBeGreaterThanOrEqual(ackedIds.length);
    const stored = await db.query<{ n: number; d: number }>(
      "select count(*)::int n, count(distinct event_id)::int d from ingest.outcomes where tenant_id = $1 and event_id like 'bulk-%'",
      [TENANT],
    );
    expect(stored.rows[0]).toEqual({ n: total, d: total });
    results.bulkKill = {
      lines: total,
      acknowledgedBeforeKill: killedAt,
      acknowledgedTotal: ackedIds.length,
      lost: lost.length,
      duplicated,
      restartSeconds,
      reimport: summary,
    };
  });

  it('when ingest is killed -9 while consuming the exposure stream, then after restart every entry is stored exactly once and nothing stays pending', async () => {
    const stream = `${prefix}recsys.exposures.v1`;
    const total = 10_000;
    const at = new Date().toISOString();
    const entry = (i: number) => ({
      v: 1,
      event_id: `kill-${i}:recommend`,
      request_id: `kill-${i}`,
      tenant_id: TENANT,
      surface: 'home',
      segment: 'default',
      endpoint: 'recommend',
      user_id: `user-${i % 101}`,
      occurred_at: at,
      items: [{ item_id: `it-${i % 13}`, rank: 1, score: 0.5 }],
      algo_version: 'reliability',
    });
    const storedCount = async () =>
      (
        await db.query<{ n: number; d: number }>(
          "select count(*)::int n, count(distinct event_id)::int d from ingest.exposures where tenant_id = $1 and event_id like 'kill-%'",
          [TENANT],
        )
      ).rows[0]!;
    // Stop the consumer first so the whole backlog is waiting, then start it and kill it mid-way.
    await fs.kill9('ingest');
    for (let i = 0; i < total; i += 1000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(total, i + 1000); j++)
        pipeline.xadd(stream, '*', 'type', 'exposure', 'payload', JSON.stringify(entry(j)));
      await pipeline.exec();
    }
    await fs.restart('ingest');
    await waitUntil(
      async () => (await storedCount()).n > 0,
      60_000,
      'the consumer to store some exposures',
      20,
    );
    await fs.kill9('ingest');
    const atKill = await storedCount();
    const pendingAtKill = (await redis.xpending(stream, 'ingest')) as [number];
    // Otherwise the kill did not land mid-consumption and the test proves nothing.
    expect(atKill.d).toBeLessThan(total);
    const t0 = Date.now();
    await fs.restart('ingest');
    await waitUntil(
      async () => (await storedCount()).d >= total,
      120_000,
      'all exposures stored after restart',
      250,
    );
    const recoverySeconds = (Date.now() - t0) / 1000;
    const pending = await waitUntil(
      async () => {
        const summary = (await redis.xpending(stream, 'ingest')) as [number];
        return summary[0] === 0 ? { pending: 0 } : undefined;
      },
      60_000,
      'no pending entries',
      250,
    );
    const final = await storedCount();
    expect(final).toEqual({ n: total, d: total });
    expect(pending.pending).toBe(0);
    results.streamKill = {
      entries: total,
      storedAtKill: atKill.d,
      pendingAtKill: pendingAtKill[0],
      stored: final.n,
      duplicates: final.n - final.d,
      recoverySeconds,
    };
  });

  it('when Redis restarts under serving and ingest load, then recommend keeps answering 200, every acknowledged event is stored once and relayed, and Redis use recovers by itself', async () => {
    const load = startLoad({
      url: `${fs.urls.serving}/v1/recommend`,
      headers: service(),
      body: () => ({ surface: 'home', user: { user_id: `u${Math.floor(Math.random() * 100)}` }, k: 3 }),
      concurrency: 4,
      pauseMs: 5,
    });
    const events = startEventLoad({
      url: `${fs.urls.ingest}/v1/events/outcomes`,
      headers: service(),
      prefix: 'redis-ev-',
      batchSize: 10,
      pauseMs: 20,
    });
    await sleep(3000);
    const killedAt = load.samples.length;
    await fs.redis.kill();
    const killedMs = Date.now() - events.startedAt;
    const degraded = await waitUntil(
      async () => {
        const r = await readyz(fs.urls.serving);
        return r.body?.checks?.redis?.status !== 'ok' ? r : undefined;
      },
      30_000,
      'serving /readyz to report redis not ok',
    );
    await sleep(5000);
    const ingestWhileDown = await readyz(fs.urls.ingest);
    const t0 = Date.now();
    const restartedMs = t0 - events.startedAt;
    await fs.redis.start();
    const recovered = await waitUntil(
      async () => ((await readyz(fs.urls.serving)).body?.checks?.redis?.status === 'ok' ? true : undefined),
      60_000,
      'serving /readyz redis ok again',
      200,
    );
    const recoverySeconds = (Date.now() - t0) / 1000;
    await sleep(2000);
    const stats = await load.stop();
    const eventStats = await events.stop();
    const during = summarize(stats.samples.slice(killedAt));
    // Exposures produced after the restart reach the new Redis: the stream exists again.
    const exposuresAfter = await waitUntil(
      async () => (await redis.xlen(`${prefix}recsys.exposures.v1`)) > 0,
      30_000,
      'exposures after restart',
    );
    // Ingest's outbox drains into the new Redis by itself.
    const outboxDrainSeconds =
      ((await waitUntil(
        async () =>
          (await db.query<{ n: number }>('select count(*)::int n from ingest.outbox')).rows[0]!.n === 0
            ? Date.now()
            : undefined,
        60_000,
        'ingest outbox to drain',
        200,
      )) -
        t0) /
      1000;
    const stored = await checkEvents(events);
    // Events acknowledged while Redis was down could only be relayed after the restart: all are on the stream.
    const ackedWhileDown = events.batches
      .filter((b) => b.status === 200 && b.at >= killedMs && b.done <= restartedMs)
      .flatMap((b) => b.ids);
    const onStream = new Set<string>();
    for (const [, fields] of await redis.xrange(`${prefix}recsys.events.v1`, '-', '+')) {
      const payload = fields[fields.indexOf('payload') + 1];
      if (payload) onStream.add((JSON.parse(payload) as { event_id: string }).event_id);
    }
    const notRelayed = ackedWhileDown.filter((id) => !onStream.has(id));
    results.redisRestart = {
      requests: stats.total,
      ok: stats.ok,
      byStatus: stats.byStatus,
      duringOutage: during.byStatus,
      readyzWhileDown: {
        status: degraded.status,
        overall: degraded.body?.status,
        redis: degraded.body?.checks?.redis?.status,
      },
      ingestReadyzWhileDown: {
        status: ingestWhileDown.status,
        overall: ingestWhileDown.body?.status,
        redis: ingestWhileDown.body?.checks?.redis?.status,
      },
      recoverySeconds,
      p50: stats.p50,
      p99: stats.p99,
      events: {
        ...eventStats,
        ...stored,
        ackedWhileDown: ackedWhileDown.length,
        notRelayed: notRelayed.length,
      },
      outboxDrainSeconds,
    };
    expect(recovered).toBe(true);
    expect(exposuresAfter).toBe(true);
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(stats.total - stats.ok).toBe(0);
    expect(stored.acked).toBeGreaterThan(0);
    expect(stored.lost).toBe(0);
    expect(stored.duplicated).toBe(0);
    expect(ackedWhileDown.length).toBeGreaterThan(0);
    expect(notRelayed).toEqual([]);
  });

  it('when Postgres stops under serving and ingest load, then recommend keeps answering 200 from memory, /readyz says degraded, ingest refuses rather than loses events, and it recovers by itself', async () => {
    const load = startLoad({
      url: `${fs.urls.serving}/v1/recommend`,
      headers: service(),
      body: () => ({ surface: 'home', user: { user_id: `u${Math.floor(Math.random() * 100)}` }, k: 3 }),
      concurrency: 4,
      pauseMs: 5,
    });
    const events = startEventLoad({
      url: `${fs.urls.ingest}/v1/events/outcomes`,
      headers: service(),
      prefix: 'pg-ev-',
      batchSize: 10,
      pauseMs: 20,
    });
    await sleep(2000);
    await db.end();
    await fs.postgres.stop();
    const stoppedMs = Date.now() - events.startedAt;
    const degraded = await waitUntil(
      async () => {
        const r = await readyz(fs.urls.serving);
        return r.body?.checks?.postgres?.status !== 'ok' ? r : undefined;
      },
      30_000,
      'serving /readyz to report postgres not ok',
    );
    await sleep(8000);
    const ingestWhileDown = await readyz(fs.urls.ingest);
    const t0 = Date.now();
    const startedMs = t0 - events.startedAt;
    await fs.postgres.start();
    await waitUntil(
      async () =>
        (await readyz(fs.urls.serving)).body?.checks?.postgres?.status === 'ok' ? true : undefined,
      60_000,
      'serving /readyz postgres ok again',
      200,
    );
    const recoverySeconds = (Date.now() - t0) / 1000;
    // The other services reconnect too.
    for (const name of ['admin', 'ingest'] as const) {
      await waitUntil(
        async () => (await readyz(fs.urls[name])).status === 200,
        60_000,
        `${name} ready again`,
        200,
      ).catch(async (error: Error) => {
        const last = await readyz(fs.urls[name]);
        throw new Error(
          `${error.message}; /readyz ${last.status} ${JSON.stringify(last.body)}\n${fs.logTail(name)}`,
        );
      });
    }
    // Ingest accepts events again by itself.
    const ingestAcceptsSeconds =
      ((await waitUntil(
        () => (events.batches.some((b) => b.status === 200 && b.at >= startedMs) ? Date.now() : undefined),
        60_000,
        'ingest to acknowledge events again',
        200,
      )) -
        t0) /
      1000;
    await sleep(1000);
    const stats = await load.stop();
    const eventStats = await events.stop();
    db = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${PG_PORT}/recsys` });
    await db.connect();
    const stored = await checkEvents(events);
    const whileDown = events.batches.filter((b) => b.at >= stoppedMs + 1000 && b.done <= startedMs);
    const whileDownStatuses: Record<string, number> = {};
    for (const b of whileDown) {
      const key = `${b.status}${b.code ? ` ${b.code}` : ''}`;
      whileDownStatuses[key] = (whileDownStatuses[key] ?? 0) + 1;
    }
    results.postgresStop = {
      requests: stats.total,
      ok: stats.ok,
      byStatus: stats.byStatus,
      readyzWhileDown: {
        status: degraded.status,
        overall: degraded.body?.status,
        postgres: degraded.body?.checks?.postgres?.status,
      },
      ingestReadyzWhileDown: {
        status: ingestWhileDown.status,
        overall: ingestWhileDown.body?.status,
        postgres: ingestWhileDown.body?.checks?.postgres?.status,
      },
      recoverySeconds,
      p50: stats.p50,
      p99: stats.p99,
      events: { ...eventStats, ...stored, whileDown: whileDownStatuses },
      ingestAcceptsSeconds,
    };
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(stats.total - stats.ok).toBe(0);
    expect(stored.acked).toBeGreaterThan(0);
    expect(stored.lost).toBe(0);
    expect(stored.duplicated).toBe(0);
    // While Postgres is down ingest refuses with a retryable 503 problem, never a 500 or a cut connection.
    expect(whileDown.length).toBeGreaterThan(0);
    expect(whileDown.filter((b) => b.status !== 503)).toEqual([]);
  });
});

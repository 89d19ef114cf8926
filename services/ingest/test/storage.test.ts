import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { runCli } from '../src/cli/commands.js';
import { PartitionManager } from '../src/db/partitions.js';
import { applyRetention } from '../src/domain/retention.js';
import { validateLine } from '../src/domain/validate.js';
import { asService, postJson, startIngest, type Harness } from './helpers.js';

const DAY = 86_400_000;

describe('partitions and retention', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startIngest({ INGEST_RETENTION_DAYS: '10' });
  });
  afterAll(() => h.close());

  const partitionsOf = async (table: string) =>
    (await new PartitionManager(h.deps.db, h.schema.schema).list(table as 'outcomes')).map((p) => p.day);

  it('when many writers create the same day partitions at once, then each is created exactly once without errors', async () => {
    const managers = Array.from({ length: 6 }, () => new PartitionManager(h.deps.db, h.schema.schema));
    const days = ['2030-01-01', '2030-01-02', '2030-01-03'];
    await Promise.all(managers.map((m) => m.ensure('assignments', days)));
    expect(await partitionsOf('assignments')).toEqual(days);
  });

  it('when concurrent batches write to a new day, then all events are stored', async () => {
    const at = new Date().toISOString();
    const batches = Array.from({ length: 5 }, (_, b) =>
      postJson(
        `${h.url}/v1/events/outcomes`,
        {
          events: Array.from({ length: 20 }, (_, i) => ({
            type: 'view',
            item_id: `c-${b}-${i}`,
            occurred_at: at,
          })),
        },
        asService('t'),
      ),
    );
    const results = await Promise.all(batches);
    for (const r of results) expect(r.body.accepted).toBe(20);
    expect(
      (await h.schema.query(`select count(*)::int n from outcomes where item_id like 'c-%'`)).rows[0].n,
    ).toBe(100);
  });

  it('when two writes deadlock on the same events, then the one Postgres aborts is written again and each event is stored once', async () => {
    // A tenant of its own, so that the export test below sees only its events.
    const ctx = {
      tenantId: 'dl',
      salt: undefined,
      nowMs: Date.now(),
      maxFutureSkewMs: 60_000,
      retentionDays: 0,
    };
    const at = new Date().toISOString();
    const outcome = (id: string) =>
      validateLine({ kind: 'outcome', event_id: id, type: 'view', item_id: id, occurred_at: at }, ctx);
    // Each write stores one event, then (inside its transaction, once the other holds its own) inserts the
    // other's: each then waits for the other, which Postgres breaks by aborting one of them.
    let holding = 0;
    const bothHolding = async () => {
      holding++;
      while (holding < 2) await sleep(10);
    };
    const insertOther = (id: string) => async (client: pg.ClientBase) => {
      await bothHolding();
      await client.query(
        `insert into outcomes (tenant_id, event_id, occurred_day, occurred_at, type, item_id)
         values ('dl', $1, $2::date, $3, 'view', $1) on conflict do nothing`,
        [id, at.slice(0, 10), at],
      );
    };
    const [a, b] = await Promise.all([
      h.deps.store.store([outcome('deadlock-a')], 'http', insertOther('deadlock-b')),
      h.deps.store.store([outcome('deadlock-b')], 'http', insertOther('deadlock-a')),
    ]);
    // The aborted write finds its own event stored by the other one.
    expect([a[0]!.status, b[0]!.status].sort()).toEqual(['accepted', 'duplicate']);
    const rows = await h.schema.query(
      `select event_id, count(*)::int n from outcomes where event_id like 'deadlock-%' group by 1 order by 1`,
    );
    expect(rows.rows).toEqual([
      { event_id: 'deadlock-a', n: 1 },
      { event_id: 'deadlock-b', n: 1 },
    ]);
  });

  it('when retention runs, then partitions older than INGEST_RETENTION_DAYS are dropped and newer ones kept', async () => {
    const now = Date.now();
    const day = (offset: number) => new Date(now - offset * DAY).toISOString().slice(0, 10);
    const manager = new PartitionManager(h.deps.db, h.schema.schema);
    await manager.ensure('exposures', [day(20), day(11), day(10), day(1)]);
    const { cutoff, dropped } = await applyRetention(manager, 10, now);
    expect(cutoff).toBe(day(10));
    expect(dropped).toEqual(
      expect.arrayContaining([
        `exposures_p${day(20).replaceAll('-', '')}`,
        `exposures_p${day(11).replaceAll('-', '')}`,
      ]),
    );
    expect(await partitionsOf('exposures')).toEqual([day(10), day(1)]);
    // an event older than the window is rejected rather than re-creating a dropped partition
    const res = await postJson(
      `${h.url}/v1/events/outcomes`,
      { events: [{ type: 'view', item_id: 'old', occurred_at: new Date(now - 12 * DAY).toISOString() }] },
      asService('t'),
    );
    expect(res.body.results[0].code).toBe('RECSYS_EVENT_TOO_OLD');
  });

  it('when the CLI runs migrate, retention and export, then it works against the service schema', async () => {
    const out: string[] = [];
    const errors: string[] = [];
    const io = {
      stdout: new Writable({
        write(chunk, _enc, done) {
          out.push(String(chunk));
          done();
        },
      }),
      stderr: (line: string) => errors.push(line),
    };
    expect(await runCli(['migrate'], h.env, io)).toBe(0);
    expect(await runCli(['retention'], h.env, io)).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ retention_days: 10 });
    const from = new Date(Date.now() - DAY).toISOString();
    const to = new Date(Date.now() + DAY).toISOString();
    const file = join(mkdtempSync(join(tmpdir(), 'ingest-cli-')), 'events.jsonl');
    expect(
      await runCli(
        ['export', '--tenant', 't', '--from', from, '--to', to, '--types', 'outcome', '--out', file],
        h.env,
        io,
      ),
    ).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(100);
    expect(lines.every((l) => l.kind === 'outcome' && l.cursor)).toBe(true);
    expect(errors).toContain(`exported 100 events to ${file}`);
    expect(await runCli(['export', '--tenant', 't', '--from', 'yesterday', '--to', to], h.env, io)).toBe(2);
    expect(errors.join('\n')).toMatch(/--from/);
    expect(await runCli(['vacuum'], h.env, io)).toBe(2);
  });
});

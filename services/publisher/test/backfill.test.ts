/** Backfill over a file:// store with checkpoints in Postgres; local evaluator; limits. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import { createTestRedis, createTestSchema, type TestRedis, type TestSchema } from '@recsys/testing';
import { FileStore } from '../src/adapters/file-store.js';
import { migrations } from '../src/db/migrations/index.js';
import { readCurrent, readHistory } from '../src/domain/publish/pointer.js';
import { ExitCode } from '../src/exit-codes.js';
import { writeFileSync } from 'node:fs';
import { cli } from './support/cli.js';
import { startExportStub } from './support/export-stub.js';
import { exportLines, writeJsonl } from './support/fixtures.js';

describe('backfill, file store and limits', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let dir: string;
  let env: Record<string, string>;
  let input: string;
  const target = ['--tenant', 'acme', '--surface', 'home'];

  beforeAll(async () => {
    schema = await createTestSchema('publisher_bf');
    redis = await createTestRedis();
    dir = mkdtempSync(join(tmpdir(), 'publisher-bf-'));
    env = {
      DATABASE_URL: schema.url,
      PUBLISHER_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'silent',
      PUBLISHER_STORE: pathToFileURL(join(dir, 'store')).href,
      PUBLISHER_EASE_ITEMS: '20',
      PUBLISHER_EVALUATOR: 'local',
    };
    const db = createDb(createPool({ connectionString: schema.url, schema: schema.schema, max: 1 }));
    await migrateToLatest(db, schema.schema, migrations);
    await db.destroy();
    input = writeJsonl(
      join(dir, 'events.jsonl'),
      exportLines({ days: 6, users: 20, clusters: 4, itemsPerCluster: 5 }),
    );
  });

  afterAll(async () => {
    await redis?.cleanup();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a backfill is interrupted and run again, then it resumes after the checkpoint and publishes one version per day', async () => {
    const args = ['backfill', ...target, '--input', `jsonl:${input}`, '--days', '3', '--start', '2026-03-03'];
    const first = await cli([...args, '--end', '2026-03-04'], env);
    expect(first.code).toBe(ExitCode.OK);
    expect(first.out.days.map((d: { day: string }) => d.day)).toEqual(['2026-03-03', '2026-03-04']);
    const second = await cli([...args, '--end', '2026-03-06'], env);
    expect(second.code).toBe(ExitCode.OK);
    expect(second.out.resumed_after).toBe('2026-03-04');
    expect(second.out.days.map((d: { day: string }) => d.day)).toEqual(['2026-03-05', '2026-03-06']);
    const store = new FileStore(join(dir, 'store'));
    const history = await readHistory(store, 'acme', 'home');
    expect(history.map((h) => h.seq)).toEqual([1, 2, 3, 4]);
    const current = (await readCurrent(store, 'acme', 'home')).manifest!;
    expect(current.version).toBe(second.out.days[1].version);
    expect(current.window).toEqual({ start: '2026-03-04T00:00:00.000Z', end: '2026-03-07T00:00:00.000Z' });
    const checkpoint = await schema.query(
      "select to_char(last_day, 'YYYY-MM-DD') as day, last_version from backfill_checkpoints",
    );
    expect(checkpoint.rows).toEqual([{ day: '2026-03-06', last_version: current.version }]);
  });

  it('when the local evaluator runs a gate on a file store, then the report is written beside the staged manifest', async () => {
    const { code, out } = await cli(
      [
        'eval',
        ...target,
        '--input',
        `jsonl:${input}`,
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-07',
        '--holdout',
        '1d',
      ],
      env,
    );
    expect(code).toBe(ExitCode.OK);
    expect(out.status).toBe('evaluated');
    expect(out.report_metrics.candidate.users).toBe(20);
    expect(out.report_metrics.candidate.recall).toBeGreaterThan(0.5);
    const store = new FileStore(join(dir, 'store'));
    expect(await store.exists(out.report.html)).toBe(true);
    // current (published by the backfill above, input up to 03-07) was trained on the 03-06 holdout
    const report = JSON.parse((await store.get(out.report.json))!.body.toString('utf8'));
    expect(report.current_version).toBe((await readCurrent(store, 'acme', 'home')).manifest!.version);
    expect(report.reasons).toContainEqual(
      expect.stringMatching(
        /^current version \S+ was built on input up to 2026-03-07T00:00:00\.000Z, inside the holdout/,
      ),
    );
    expect((await readCurrent(store, 'acme', 'home')).manifest!.version).not.toBe(out.version); // eval never publishes
  });

  it('when a limit is exceeded, then the run fails with exit 5 and a message naming the setting', async () => {
    const { code, stderr } = await cli(
      [
        'run',
        ...target,
        '--input',
        `jsonl:${input}`,
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-07',
        '--max-items',
        '5',
        '--no-gate',
      ],
      env,
    );
    expect(code).toBe(ExitCode.LIMIT);
    expect(stderr).toMatch(/more than 5 distinct items; raise --max-items/);
    const memory = await cli(
      [
        'run',
        ...target,
        '--input',
        `jsonl:${input}`,
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-07',
        '--ease-items',
        '20000',
        '--max-memory-mb',
        '16',
        '--no-gate',
      ],
      env,
    );
    // 20 items are modelled at most here, so the budget holds; a real 20k-item model would need 6 GiB.
    expect(memory.code).toBe(ExitCode.OK);
  });

  it("when the input is ingest's export, then the run reads it page by page with the service token and publishes", async () => {
    const lines = exportLines({ days: 6, users: 20, clusters: 4, itemsPerCluster: 5, seed: 9 });
    const stub = await startExportStub({ serviceToken: 'export-token-0123456789abcdef', lines });
    try {
      const { code, out } = await cli(
        [
          'run',
          ...target,
          '--segment',
          'exported',
          '--input',
          'export',
          '--from',
          '2026-03-01',
          '--to',
          '2026-03-07',
        ],
        {
          ...env,
          INGEST_URL: stub.url,
          SERVICE_TOKEN: 'export-token-0123456789abcdef',
          PUBLISHER_EXPORT_PAGE_SIZE: '100',
        },
      );
      expect(code).toBe(ExitCode.OK);
      expect(out.counts.popularity.events).toBe(5 * 20 * 3); // the 6th day is the holdout
      expect(stub.requests.length).toBe(Math.ceil(lines.length / 100));
      expect(stub.requests.every((q) => q.get('types') === 'outcome,catalog.upsert,catalog.delete')).toBe(
        true,
      );
    } finally {
      await stub.close();
    }
  });

  it('when local artifact files are validated, then a tampered one is refused with exit 4 and the reason', async () => {
    const store = new FileStore(join(dir, 'store'));
    const manifest = (await readCurrent(store, 'acme', 'home')).manifest!;
    const entry = manifest.artifacts.popularity!;
    const body = (await store.get(
      `registry/objects/acme/home/popularity/${entry.sha256}.json`,
    ))!.body.toString();
    writeFileSync(join(dir, 'pop.json'), body);
    const ok = await cli(['validate', '--file', join(dir, 'pop.json')], env);
    expect(ok.code).toBe(ExitCode.OK);
    expect(ok.out.bytes.popularity).toBe(entry.bytes);
    const doc = JSON.parse(body);
    doc.items[0].count += 1;
    writeFileSync(join(dir, 'pop.json'), JSON.stringify(doc));
    const bad = await cli(['validate', '--file', join(dir, 'pop.json')], env);
    expect(bad.code).toBe(ExitCode.INVALID);
    expect(bad.out.errors).toEqual(['popularity: checksum mismatch']);
  });

  it('when flags are wrong, then the exit code is 2 and --help documents the exit codes', async () => {
    expect((await cli(['run', '--tenant', 'acme'], env)).code).toBe(ExitCode.USAGE);
    expect((await cli(['run', ...target, '--from', 'yesterday'], env)).code).toBe(ExitCode.USAGE);
    expect((await cli(['run', ...target, '--bogus'], env)).code).toBe(ExitCode.USAGE);
    const help = await cli(['run', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/3 {2}evaluation gate refused/);
    expect(help.stdout).toMatch(/--input <source> +export \| jsonl:<path> \| online-retail:<path>/);
  });
});

/** DB-only mode: signals are pushed to serving's bulk-load endpoint, evaluated by preview, then activated. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import { createTestRedis, createTestSchema, type TestRedis, type TestSchema } from '@recsys/testing';
import { migrations } from '../src/db/migrations/index.js';
import { ExitCode } from '../src/exit-codes.js';
import { cli } from './support/cli.js';
import { exportLines, writeJsonl } from './support/fixtures.js';
import { startServingStub, type ServingStub } from './support/serving-stub.js';

const TOKEN = 'db-mode-service-token-0123456789';
const ARGS = [
  '--tenant',
  'acme',
  '--surface',
  'home',
  '--mode',
  'db',
  '--from',
  '2026-03-01',
  '--to',
  '2026-03-11',
];

describe('DB-only mode publishing (serving stand-in + Postgres + Redis)', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let serving: ServingStub;
  let dir: string;
  let env: Record<string, string>;
  const base = { days: 10, users: 40, clusters: 5, itemsPerCluster: 8 };

  beforeAll(async () => {
    schema = await createTestSchema('publisher_db');
    redis = await createTestRedis();
    serving = await startServingStub({ serviceToken: TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'publisher-db-'));
    env = {
      DATABASE_URL: schema.url,
      PUBLISHER_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN: TOKEN,
      SERVING_URL: serving.url,
      LOG_LEVEL: 'silent',
      PUBLISHER_EASE_ITEMS: '40',
      PUBLISHER_EVAL_K: '10',
    };
    const db = createDb(createPool({ connectionString: schema.url, schema: schema.schema, max: 1 }));
    await migrateToLatest(db, schema.schema, migrations);
    await db.destroy();
  });

  afterAll(async () => {
    await serving?.close();
    await redis?.cleanup();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when run in db mode, then the version is PUT, previewed, activated and announced; a regression is refused and rollback re-activates', async () => {
    const good = writeJsonl(join(dir, 'good.jsonl'), exportLines(base));
    const first = await cli(['run', ...ARGS, '--input', `jsonl:${good}`], env);
    expect(first.code).toBe(ExitCode.OK);
    const v1 = first.out.version as string;
    expect(serving.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        `PUT /internal/v1/signals/acme/home/default/versions/${v1}`,
        `POST /internal/v1/signals/acme/home/default/versions/${v1}/activate`,
      ]),
    );
    const put = serving.requests.findIndex((r) => r.method === 'PUT');
    const preview = serving.requests.findIndex((r) => r.path === '/v1/recommend' && r.version === v1);
    const activate = serving.requests.findIndex((r) => r.path.endsWith('/activate'));
    expect(put).toBeLessThan(preview);
    expect(preview).toBeLessThan(activate);
    expect(await serving.servedVersion('acme', 'home')).toBe(v1);

    const noise = writeJsonl(
      join(dir, 'noise.jsonl'),
      exportLines({ ...base, seed: 3, noiseDays: (d) => d < 9 }),
    );
    const refused = await cli(['run', ...ARGS, '--input', `jsonl:${noise}`], env);
    expect(refused.code).toBe(ExitCode.GATE_REFUSED);
    expect(await serving.servedVersion('acme', 'home')).toBe(v1);

    const good2 = writeJsonl(join(dir, 'good2.jsonl'), exportLines({ ...base, seed: 2 }));
    const second = await cli(['run', ...ARGS, '--input', `jsonl:${good2}`, '--no-gate'], env);
    expect(second.code).toBe(ExitCode.OK);
    expect(await serving.servedVersion('acme', 'home')).toBe(second.out.version);

    const rollback = await cli(['rollback', '--tenant', 'acme', '--surface', 'home', '--mode', 'db'], env);
    expect(rollback.code).toBe(ExitCode.OK);
    expect(rollback.out).toMatchObject({ version: v1, previous: second.out.version });
    expect(await serving.servedVersion('acme', 'home')).toBe(v1);

    const stream = await redis.redis.xrange(`${redis.prefix}recsys.manifests.v1`, '-', '+');
    const payloads = stream.map(([, f]) => JSON.parse(f[f.indexOf('payload') + 1]!));
    expect(payloads.map((p) => [p.type, p.version, p.uri])).toEqual([
      ['manifest.published', v1, undefined],
      ['manifest.published', second.out.version, undefined],
      ['manifest.rolled_back', v1, undefined],
    ]);

    const status = await cli(['status', '--tenant', 'acme', '--surface', 'home', '--mode', 'db'], env);
    expect(status.out.current).toEqual({ version: v1 });
  });
});

/**
 * Path traversal in the publisher's targets: tenant, surface and segment name object keys
 * (`registry/current/{tenant}/{surface}/…`), so a value like `../other` must be refused before anything is
 * read or written — otherwise one tenant's run could overwrite another tenant's pointer.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import {
  createTestRedis,
  createTestSchema,
  PATH_TRAVERSAL_STRINGS,
  type TestRedis,
  type TestSchema,
} from '@recsys/testing';
import { migrations } from '../src/db/migrations/index.js';
import { ExitCode } from '../src/exit-codes.js';
import { cli } from './support/cli.js';
import { exportLines, writeJsonl } from './support/fixtures.js';

const WINDOW = ['--from', '2026-03-01', '--to', '2026-03-11'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('publisher target names', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let dir: string;
  let store: string;
  let input: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    schema = await createTestSchema('publisher_paths');
    redis = await createTestRedis();
    dir = mkdtempSync(join(tmpdir(), 'publisher-paths-'));
    store = join(dir, 'store');
    input = writeJsonl(
      join(dir, 'events.jsonl'),
      exportLines({ days: 3, users: 6, clusters: 2, itemsPerCluster: 3 }),
    );
    env = {
      DATABASE_URL: schema.url,
      PUBLISHER_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN: 'paths-service-token-0123456789',
      LOG_LEVEL: 'silent',
      PUBLISHER_STORE: `file://${store}`,
      PUBLISHER_HOLDOUT: '0',
      PUBLISHER_KINDS: 'popularity',
    };
    const db = createDb(createPool({ connectionString: schema.url, schema: schema.schema, max: 1 }));
    await migrateToLatest(db, schema.schema, migrations);
    await db.destroy();
  });

  afterAll(async () => {
    await redis?.cleanup();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a run is well formed, then it publishes under registry/current/<tenant>/<surface> (positive control)', async () => {
    const ok = await cli(
      ['run', '--tenant', 'acme', '--surface', 'home', ...WINDOW, '--input', `jsonl:${input}`],
      env,
    );
    expect(ok.code).toBe(ExitCode.OK);
    expect(filesUnder(store).some((f) => f.endsWith('registry/current/acme/home/manifest.json'))).toBe(true);
  });

  it('when tenant, surface or segment carries path traversal, separators or control characters, then every command refuses it with a usage error and writes nothing', async () => {
    const before = filesUnder(store).sort();
    const bad = [...PATH_TRAVERSAL_STRINGS, '../../current/evil/home', 'home/../../evil', 'a\\b', ' '];
    const refused: string[] = [];
    for (const value of bad) {
      for (const flag of ['--tenant', '--surface', '--segment'] as const) {
        const target = { '--tenant': 'acme', '--surface': 'home', '--segment': 'default', [flag]: value };
        const targetArgs = Object.entries(target).flatMap(([k, v]) => [k, v]);
        for (const argv of [
          ['run', ...targetArgs, ...WINDOW, '--input', `jsonl:${input}`],
          ['status', ...targetArgs],
          ['rollback', ...targetArgs],
          ['ship', ...targetArgs, '--version', 'v1'],
          ['validate', ...targetArgs],
        ]) {
          const { code, out } = await cli(argv, env);
          expect({ argv, code }).toEqual({ argv, code: ExitCode.USAGE });
          expect(out?.error?.message ?? '').toMatch(/not a safe path segment/);
          refused.push(argv.join(' '));
        }
      }
    }
    expect(refused.length).toBe(bad.length * 3 * 5);
    expect(filesUnder(store).sort()).toEqual(before);
  });
});

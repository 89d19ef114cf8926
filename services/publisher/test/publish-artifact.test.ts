/**
 * Acceptance of the artifact-mode publish path on real s3rver, Postgres and Redis, with a serving stand-in
 * that reads manifests from the store like serving does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest } from '@recsys/contracts-publisher';
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import {
  createTestRedis,
  createTestSchema,
  startS3,
  type TestRedis,
  type TestS3,
  type TestSchema,
} from '@recsys/testing';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { openStore } from '../src/deps.js';
import { sha256Hex } from '../src/domain/canonical.js';
import { readCurrent } from '../src/domain/publish/pointer.js';
import { keys, type ObjectStore } from '../src/domain/publish/store.js';
import { ExitCode } from '../src/exit-codes.js';
import { cli } from './support/cli.js';
import { exportLines, writeJsonl } from './support/fixtures.js';
import { startServingStub, type ServingStub } from './support/serving-stub.js';

const TOKEN = 'acceptance-service-token-0123456789';
const WINDOW = ['--from', '2026-03-01', '--to', '2026-03-11'];
const TARGET = ['--tenant', 'acme', '--surface', 'home'];

describe('artifact-mode publishing (s3rver + Postgres + Redis)', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let s3: TestS3;
  let store: ObjectStore;
  let serving: ServingStub;
  let dir: string;
  let env: Record<string, string>;
  const files: Record<string, string> = {};
  const published: string[] = [];

  const base = { days: 10, users: 40, clusters: 5, itemsPerCluster: 8 };
  const stream = () => `${redis.prefix}recsys.manifests.v1`;
  const events = async () =>
    (await redis.redis.xrange(stream(), '-', '+')).map(([, fields]) =>
      JSON.parse(fields[fields.indexOf('payload') + 1]!),
    );
  const current = async () => (await readCurrent(store, 'acme', 'home')).manifest;
  const recommend = async (user: string) => {
    const res = await fetch(`${serving.url}/v1/recommend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Service-Token': TOKEN, 'X-Org-Id': 'acme' },
      body: JSON.stringify({ surface: 'home', k: 10, user: { user_id: user } }),
    });
    return (await res.json()) as { items: { item_id: string }[]; meta: { signal_version: string } };
  };

  beforeAll(async () => {
    schema = await createTestSchema('publisher_acc');
    redis = await createTestRedis();
    s3 = await startS3();
    dir = mkdtempSync(join(tmpdir(), 'publisher-acc-'));
    env = {
      DATABASE_URL: schema.url,
      PUBLISHER_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN: TOKEN,
      LOG_LEVEL: 'silent',
      PUBLISHER_STORE: `s3://${s3.bucket}`,
      PUBLISHER_S3_ENDPOINT: s3.endpoint,
      PUBLISHER_S3_ACCESS_KEY_ID: 'S3RVER',
      PUBLISHER_S3_SECRET_ACCESS_KEY: 'S3RVER',
      PUBLISHER_EASE_ITEMS: '40',
      PUBLISHER_HOLDOUT: '24h',
      PUBLISHER_EVAL_K: '10',
    };
    const config = loadConfig(env);
    const db = createDb(createPool({ connectionString: schema.url, schema: schema.schema, max: 1 }));
    await migrateToLatest(db, schema.schema, migrations);
    await db.destroy();
    store = await openStore(config, config.PUBLISHER_STORE);
    serving = await startServingStub({ serviceToken: TOKEN, store });
    env.SERVING_URL = serving.url;
    files.good = writeJsonl(join(dir, 'good.jsonl'), exportLines(base));
    files.good2 = writeJsonl(join(dir, 'good2.jsonl'), exportLines({ ...base, seed: 2 }));
    // Training days are random purchases; the held-out day follows the clusters: a model built on it is worse.
    files.noise = writeJsonl(
      join(dir, 'noise.jsonl'),
      exportLines({ ...base, seed: 3, noiseDays: (d) => d < 9 }),
    );
    files.bad = writeJsonl(
      join(dir, 'bad.jsonl'),
      exportLines({
        ...base,
        extra: [1, 2].map((n) => ({
          kind: 'outcome',
          event_id: `ghost${n}`,
          tenant_id: 'acme',
          type: 'purchase',
          item_id: 'ghost',
          user_id: 'u1',
          session_id: `g${n}`,
          occurred_at: `2026-03-0${n + 1}T05:00:00Z`,
        })),
      }),
    );
  });

  afterAll(async () => {
    await serving?.close();
    (store as { destroy?: () => void })?.destroy?.();
    await s3?.stop();
    await redis?.cleanup();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a run publishes, then objects, staged manifest, report and current pointer are written, the event is on the stream and serving serves the new version', async () => {
    const { code, out, stderr } = await cli(
      ['run', ...TARGET, ...WINDOW, '--input', `jsonl:${files.good}`],
      env,
    );
    expect(stderr).toBe('');
    expect(code).toBe(ExitCode.OK);
    expect(out.status).toBe('published');
    const manifest = (await current())!;
    expect(manifest).toMatchObject({
      version: out.version,
      seq: 1,
      previous_version: null,
      tenant: 'acme',
      surface: 'home',
      segment: 'default',
    });
    expect(Object.keys(manifest.current).sort()).toEqual([
      'catalog',
      'content_sim',
      'cooc',
      'i2i',
      'implicit',
      'popularity',
      'session_seq',
    ]);
    for (const [kind, entry] of Object.entries(manifest.artifacts)) {
      const key = keys.object('acme', 'home', kind, entry!.sha256);
      expect(entry!.uri).toBe(`s3://${s3.bucket}/${key}`);
      const object = await store.get(key);
      expect(sha256Hex(object!.body)).toBe(entry!.sha256);
      expect(object!.body.byteLength).toBe(entry!.bytes);
    }
    expect(
      Manifest.parse(JSON.parse((await store.get(keys.staged('acme', 'home', out.version)))!.body.toString()))
        .version,
    ).toBe(out.version);
    for (const ext of ['json', 'md', 'html'])
      expect(await store.exists(`${keys.stagedDir('acme', 'home', out.version)}/report.${ext}`)).toBe(true);
    expect(manifest.eval_report_uri).toBe(
      `s3://${s3.bucket}/${keys.stagedDir('acme', 'home', out.version)}/report.json`,
    );
    expect(await events()).toEqual([
      expect.objectContaining({
        type: 'manifest.published',
        tenant_id: 'acme',
        surface: 'home',
        version: out.version,
        uri: `s3://${s3.bucket}/registry/current/acme/home/manifest.json`,
      }),
    ]);
    expect(serving.requests.some((r) => r.path === '/v1/recommend' && r.version === out.version)).toBe(true);
    expect(await serving.servedVersion('acme', 'home')).toBe(out.version);
    expect((await recommend('u0')).meta.signal_version).toBe(out.version);
    published.push(out.version);
  });

  it('when an artifact is bad (ids unknown to the catalog), then the run is refused with exit 4 and current is untouched', async () => {
    const before = await store.get(keys.current('acme', 'home'));
    const eventsBefore = (await events()).length;
    const { code, out } = await cli(['run', ...TARGET, ...WINDOW, '--input', `jsonl:${files.bad}`], env);
    expect(code).toBe(ExitCode.INVALID);
    expect(out.status).toBe('invalid');
    expect(out.errors.join('\n')).toMatch(/unknown to the catalog \(e\.g\. "ghost"\)/);
    expect((await store.get(keys.current('acme', 'home')))!.body.equals(before!.body)).toBe(true);
    expect(await store.exists(keys.staged('acme', 'home', out.version))).toBe(false);
    expect((await events()).length).toBe(eventsBefore);
  });

  it('when the candidate regresses against current, then the gate refuses it with exit 3, stores the report and leaves current untouched', async () => {
    serving.requests.length = 0;
    const { code, out } = await cli(['run', ...TARGET, ...WINDOW, '--input', `jsonl:${files.noise}`], env);
    expect(code).toBe(ExitCode.GATE_REFUSED);
    expect(out.status).toBe('refused');
    expect(out.errors.join('\n')).toMatch(/^recall@10 .* < /m);
    expect((await current())!.version).toBe(published[0]);
    const report = JSON.parse(
      (await store.get(`${keys.stagedDir('acme', 'home', out.version)}/report.json`))!.body.toString(),
    );
    expect(report).toMatchObject({
      decision: 'refused',
      candidate_version: out.version,
      current_version: published[0],
      evaluator: 'serving',
    });
    expect(report.candidate.recall).toBeLessThan(report.current.recall);
    const previewed = new Set(serving.requests.map((r) => r.version));
    expect(previewed).toEqual(new Set([out.version, published[0]]));
  });

  it('when forced with a reason, then the refused candidate is published and the reason is recorded in the manifest', async () => {
    expect(
      (await cli(['run', ...TARGET, ...WINDOW, '--input', `jsonl:${files.noise}`, '--force'], env)).code,
    ).toBe(ExitCode.USAGE);
    const { code, out } = await cli(
      [
        'run',
        ...TARGET,
        ...WINDOW,
        '--input',
        `jsonl:${files.noise}`,
        '--force',
        '--reason',
        'hotfix: catalog migration',
      ],
      env,
    );
    expect(code).toBe(ExitCode.OK);
    const manifest = (await current())!;
    expect(manifest).toMatchObject({
      version: out.version,
      forced_reason: 'hotfix: catalog migration',
      previous_version: published[0],
      seq: 2,
    });
    expect(manifest.gate?.decision).toBe('forced');
    published.push(out.version);
  });

  it('when rolled back, then current points at the previous version again, the event is emitted and serving answers as before', async () => {
    const { code, out } = await cli(['rollback', ...TARGET], env);
    expect(code).toBe(ExitCode.OK);
    expect(out).toMatchObject({ version: published[0], previous: published[1], seq: 3 });
    expect((await current())!.version).toBe(published[0]);
    expect((await events()).at(-1)).toMatchObject({ type: 'manifest.rolled_back', version: published[0] });
    const served = await recommend('u3');
    expect(served.meta.signal_version).toBe(published[0]);
    // The same version answers the same: compare with an explicit preview of it.
    const preview = await fetch(`${serving.url}/v1/recommend`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Service-Token': TOKEN,
        'X-Org-Id': 'acme',
        'X-Recsys-Signal-Version': published[0]!,
      },
      body: JSON.stringify({ surface: 'home', k: 10, user: { user_id: 'u3' } }),
    });
    expect(((await preview.json()) as { items: unknown[] }).items).toEqual(served.items);
  });

  it('when the process fails between object upload and pointer move, then current is untouched and the next run succeeds', async () => {
    const before = (await current())!;
    const crashed = await cli(
      ['run', ...TARGET, ...WINDOW, '--input', `jsonl:${files.good2}`, '--no-gate'],
      env,
      {
        hooks: {
          beforePointerMove: () => {
            throw new Error('injected crash before pointer move');
          },
        },
      },
    );
    expect(crashed.code).toBe(ExitCode.FAILURE);
    expect(crashed.stderr).toMatch(/injected crash/);
    const staged = (await store.list('registry/staged/acme/home/')).filter((k) =>
      k.endsWith('manifest.json'),
    );
    expect(staged.length).toBe(3); // good, noise, good2 staged; good2's objects are uploaded
    const after = (await current())!;
    expect(after).toEqual(before);
    const retry = await cli(
      ['run', ...TARGET, ...WINDOW, '--input', `jsonl:${files.good2}`, '--no-gate'],
      env,
    );
    expect(retry.code).toBe(ExitCode.OK);
    expect((await current())!).toMatchObject({
      version: retry.out.version,
      previous_version: before.version,
      seq: 4,
    });
  });

  it('when asked for status and validation, then current, staged and history are listed and the current artifacts validate', async () => {
    const status = await cli(['status', ...TARGET], env);
    expect(status.code).toBe(ExitCode.OK);
    expect(status.out.current.version).toBe((await current())!.version);
    expect(status.out.history.map((h: { action: string }) => h.action)).toEqual([
      'publish',
      'publish',
      'rollback',
      'publish',
    ]);
    expect(status.out.staged).toHaveLength(3);
    const validate = await cli(['validate', ...TARGET], env);
    expect(validate.code).toBe(ExitCode.OK);
    expect(validate.out.ok).toBe(true);
    const rollbackTo = await cli(['rollback', ...TARGET, '--to', 'nope'], env);
    expect(rollbackTo.code).toBe(ExitCode.NOT_FOUND);
    expect(rollbackTo.out.error.code).toBe('RECSYS_PUBLISHER_NOT_FOUND');
  });

  it('when a staged version is shipped, then it becomes current with a new seq and a published event', async () => {
    const ship = await cli(['ship', ...TARGET, '--version', published[1]!], env);
    expect(ship.code).toBe(ExitCode.OK);
    expect((await current())!).toMatchObject({ version: published[1], seq: 5 });
    expect((await events()).at(-1)).toMatchObject({ type: 'manifest.published', version: published[1] });
    expect((await cli(['ship', ...TARGET, '--version', 'missing'], env)).code).toBe(ExitCode.NOT_FOUND);
  });
});

/**
 * Property-based fuzzing of every serving operation from openapi.json (packages/testing/src/fuzz.ts):
 * malformed and edge-case bodies, headers-free path parameters of the internal signal endpoints. Never a
 * 5xx or a dropped connection; every 4xx is problem+json with a catalogued code and a request_id.
 * FUZZ_RUNS sets runs per operation (CI default 200, see docs/reliability.md; `pnpm test:faults` runs 10,000).
 */
import { createLogger } from '@recsys/platform/logger';
import { migrateToLatest } from '@recsys/platform/db';
import {
  createTestRedis,
  createTestSchema,
  formatFuzzReport,
  fuzzOperations,
  loadOpenApi,
  serve,
  startAdminKeyStub,
  type AdminKeyStub,
  type TestRedis,
  type TestSchema,
} from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

const SERVICE_TOKEN = 'test-service-token-0123456789';
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

/** Valid bodies the fuzzer mutates leaf by leaf, so a share of its requests reaches ranking. */
const RECOMMEND_SEEDS = [
  { surface: 'home', user: { user_id: 'u1' } },
  {
    surface: 'home',
    segment: 'default',
    k: 10,
    user: { user_id: 'u1', anonymous_id: 'anon-1', session_id: 's1' },
    context: { locale: 'en-US', device: 'mobile', country: 'US', now: '2026-01-15T00:00:00Z' },
    anchors: { item_ids: ['a', 'b'], max_anchors: 2 },
    candidates: { include_ids: ['a', 'b', 'c'], exclude_ids: ['c'] },
    constraints: { required_tags: [], forbidden_tags: ['x'], max_per_tag: { shoes: 2 } },
    weights: { pop: 1, cooc: 0.5, emb: 0, i2i: 0.2, content: 0.1, session: 0.3, history: 0.4 },
    options: { explain: 'summary', include_reasons: true, seed: 7 },
    experiment: { id: 'exp-1', variant: 'b' },
  },
];
const SIMILAR_SEEDS = [
  { surface: 'home', item_id: 'a' },
  {
    surface: 'home',
    segment: 'default',
    item_id: 'a',
    k: 5,
    constraints: { forbidden_tags: ['x'], max_per_tag: { shoes: 1 } },
    options: { explain: 'summary', seed: 3 },
  },
];

describe('serving fuzzing', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let admin: AdminKeyStub;
  let http: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    admin = await startAdminKeyStub(SERVICE_TOKEN);
    schema = await createTestSchema('serving');
    redis = await createTestRedis();
    const config = loadConfig({
      DATABASE_URL: schema.url,
      SERVING_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN,
      ADMIN_URL: admin.url,
      TENANT_RATE_LIMIT_ENABLED: 'false',
    });
    deps = createDeps(config, createLogger('serving', 'silent'));
    await migrateToLatest(deps.db, schema.schema, migrations);
    await deps.start();
    http = await serve(createApp(deps));
    // A live signal version so well-formed requests reach ranking.
    const base = `${http.url}/internal/v1/signals/fuzzco/home/default/versions/v1`;
    const headers = { 'content-type': 'application/json', 'x-service-token': SERVICE_TOKEN };
    const env = {
      v: 1,
      tenant: 'fuzzco',
      surface: 'home',
      segment: 'default',
      window: { start: '2026-01-01T00:00:00Z', end: '2026-01-31T00:00:00Z' },
      build: { built_at: '2026-01-31T00:00:00Z', version: 'fuzz', source_hash: 'x', params: {} },
      counts: {},
    };
    const put = await fetch(base, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        manifest: {
          v: 1,
          tenant: 'fuzzco',
          surface: 'home',
          segment: 'default',
          version: 'v1',
          current: {},
          artifacts: {},
          updated_at: new Date().toISOString(),
          previous_version: null,
        },
        artifacts: {
          popularity: {
            ...env,
            artifact_type: 'popularity',
            items: [
              { item_id: 'a', score: 2, count: 2 },
              { item_id: 'b', score: 1, count: 1 },
            ],
          },
        },
      }),
    });
    expect(put.status).toBe(201);
    expect((await fetch(`${base}/activate`, { method: 'POST', headers })).status).toBe(200);
  });

  afterAll(async () => {
    await http.close();
    for (const closer of deps.closers) await closer.close();
    await redis.cleanup();
    await schema.drop();
    await admin.close();
  });

  it(
    `when every operation gets ${RUNS} generated malformed and edge-case requests, then none answers 5xx or drops the connection and every 4xx is a catalogued problem with a request_id`,
    async () => {
      const report = await fuzzOperations({
        baseUrl: http.url,
        document: loadOpenApi('serving'),
        headers: { 'x-service-token': SERVICE_TOKEN, 'x-org-id': 'fuzzco' },
        pathParams: { tenant_id: 'fuzzco', surface: 'home', segment: 'default', version: 'v2' },
        operations: {
          'POST /v1/recommend': { seeds: RECOMMEND_SEEDS },
          'POST /v1/recommend/validate': { seeds: RECOMMEND_SEEDS },
          'POST /v1/similar': { seeds: SIMILAR_SEEDS },
        },
        runsPerOperation: RUNS,
        concurrency: 16,
      });
      process.stdout.write(`${formatFuzzReport(report)}\n`);
      expect(report.operations.length).toBeGreaterThanOrEqual(5);
      expect(report.failures).toEqual([]);
    },
    30 * 60_000,
  );
});

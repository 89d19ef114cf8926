/**
 * Property-based fuzzing of every ingest operation from openapi.json (packages/testing/src/fuzz.ts):
 * malformed and edge-case JSON and NDJSON bodies, path and query parameters. Never a 5xx or a dropped
 * connection; every 4xx is problem+json with a catalogued code and a request_id. FUZZ_RUNS sets runs per
 * operation (CI default 200, see docs/reliability.md; `pnpm test:faults` runs 10,000).
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
  type TestRedis,
  type TestSchema,
} from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

const SERVICE_TOKEN = 'test-service-token-0123456789';
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

/** Valid events the fuzzer mutates leaf by leaf, so a share of its requests is stored. */
const AT = new Date(Date.now() - 60_000).toISOString();
const OUTCOME = {
  event_id: 'seed-o1',
  type: 'purchase',
  item_id: 'item-1',
  user_id: 'u1',
  anonymous_id: 'anon-1',
  session_id: 's1',
  request_id: 'req-1',
  surface: 'home',
  value: 19.5,
  quantity: 2,
  occurred_at: AT,
};
const EXPOSURE = {
  request_id: 'req-1',
  surface: 'home',
  segment: 'default',
  endpoint: 'recommend',
  user_id: 'u1',
  session_id: 's1',
  occurred_at: AT,
  items: [
    { item_id: 'a', rank: 1, score: 0.9, propensity: 0.5 },
    { item_id: 'b', rank: 2, score: 0.4 },
  ],
  algo_version: 'blend-1',
  experiment: { id: 'exp1', variant: 'B' },
  context: { device: 'ios' },
};
const ASSIGNMENT = {
  experiment_id: 'exp1',
  variant: 'B',
  user_id: 'u1',
  request_id: 'req-1',
  occurred_at: AT,
};
const SEEDS = {
  'POST /v1/events/outcomes': [
    { events: [OUTCOME] },
    { events: [OUTCOME, { ...OUTCOME, event_id: 'seed-o2' }] },
  ],
  'POST /v1/events/exposures': [{ events: [EXPOSURE] }],
  'POST /v1/events/assignments': [{ events: [ASSIGNMENT] }],
  'POST /v1/events/bulk': [
    { kind: 'outcome', ...OUTCOME },
    { kind: 'assignment', ...ASSIGNMENT },
    {
      kind: 'catalog.upsert',
      item: { item_id: 'item-1', title: 'Item 1', tags: ['shoes'], price: 10, available: true },
      occurred_at: AT,
    },
  ],
  'PUT /v1/catalog/items/{item_id}': [
    { title: 'Item 1', tags: ['shoes', 'red'], price: 10, available: true, created_at: AT, occurred_at: AT },
  ],
};

describe('ingest fuzzing', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let http: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    schema = await createTestSchema('ingest');
    redis = await createTestRedis();
    const config = loadConfig({
      DATABASE_URL: schema.url,
      INGEST_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN,
      INGEST_TENANT_CHECK: 'false',
    });
    deps = createDeps(config, createLogger('ingest', 'silent'));
    await migrateToLatest(deps.db, schema.schema, migrations);
    http = await serve(createApp(deps));
  });

  afterAll(async () => {
    await http.close();
    for (const closer of deps.closers) await closer.close();
    await redis.cleanup();
    await schema.drop();
  });

  it(
    `when every operation gets ${RUNS} generated malformed and edge-case requests, then none answers 5xx or drops the connection and every 4xx is a catalogued problem with a request_id`,
    async () => {
      const report = await fuzzOperations({
        baseUrl: http.url,
        document: loadOpenApi('ingest'),
        headers: { 'x-service-token': SERVICE_TOKEN, 'x-org-id': 'fuzzco' },
        pathParams: { item_id: 'item-1' },
        operations: {
          ...Object.fromEntries(Object.entries(SEEDS).map(([key, seeds]) => [key, { seeds }])),
          'GET /v1/exports/events': {
            query: {
              from: '2000-01-01T00:00:00Z',
              to: '2100-01-01T00:00:00Z',
              types: 'outcome,assignment,catalog',
              limit: '100',
            },
          },
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

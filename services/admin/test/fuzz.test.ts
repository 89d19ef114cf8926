/**
 * Property-based fuzzing of every admin operation from openapi.json (packages/testing/src/fuzz.ts):
 * malformed and edge-case bodies, path and query parameters. Never a 5xx or a dropped connection; every
 * 4xx is problem+json with a catalogued code and a request_id. FUZZ_RUNS sets runs per operation
 * (CI default 200, see docs/reliability.md; `pnpm test:faults` runs 10,000).
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

/** Valid bodies the fuzzer mutates leaf by leaf, so a share of its requests is stored and published. */
const CONFIG = {
  weights: { pop: 0.7, cooc: 0.2, emb: 0.1, i2i: 0.3, content: 0.1, session: 0.2, history: 0.4 },
  algo: 'blend',
  flags: { enable_rules: true, label: 'spring' },
  limits: { max_k: 50, max_exclude_ids: 100 },
  ranking: { max_pins: 3, mmr_lambda: 0.5, allow_repeats: false, fanout: 4 },
  surfaces: { home: { weights: { pop: 1 }, algo: 'popularity' } },
  experiments: [
    {
      id: 'exp-1',
      enabled: true,
      surface: 'home',
      traffic_percent: 50,
      variants: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 1, overrides: { weights: { cooc: 1 } } },
      ],
    },
  ],
};
const RULES = [
  { action: 'pin', target_type: 'item', item_ids: ['item_1', 'item_2'], surface: 'home', priority: 10 },
  { action: 'block', target_type: 'tag', target_key: 'brand:nike', segment: 'default' },
  {
    action: 'boost',
    target_type: 'category',
    target_key: 'shoes',
    boost_value: 0.5,
    starts_at: '2026-01-01T00:00:00Z',
    ends_at: '2036-01-01T00:00:00Z',
  },
];
const SEEDS: Record<string, unknown[]> = {
  'POST /v1/admin/tenants': [{ external_id: 'fuzz-new', display_name: 'Fuzz New' }],
  'PUT /v1/admin/tenants/{tenant_id}/config': [CONFIG, { weights: { pop: 1 } }],
  'POST /v1/admin/tenants/{tenant_id}/config/validate': [CONFIG],
  'POST /v1/admin/tenants/{tenant_id}/config/rollback': [{ version: 'f'.repeat(64) }],
  'PUT /v1/admin/tenants/{tenant_id}/rules': [RULES, { rules: RULES }],
  'POST /v1/admin/tenants/{tenant_id}/rules/validate': [RULES],
  'POST /v1/admin/tenants/{tenant_id}/rules/rollback': [{ version: 'f'.repeat(64) }],
  'POST /v1/admin/tenants/{tenant_id}/cache/invalidate': [
    { targets: ['config', 'rules', 'popularity'], surface: 'home' },
  ],
  'POST /v1/admin/tenants/{tenant_id}/keys': [
    { name: 'fuzz key', roles: ['viewer', 'operator'], expires_at: '2036-01-01T00:00:00Z' },
  ],
  'POST /v1/admin/tenants/{tenant_id}/keys/{key_id}/rotate': [{ expires_at: '2036-01-01T00:00:00Z' }],
  'POST /internal/v1/keys/verify': [
    { api_key: 'rk_0123456789ab_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' },
  ],
};

describe('admin fuzzing', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let deps: Deps;
  let http: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    schema = await createTestSchema('admin');
    redis = await createTestRedis();
    const config = loadConfig({
      DATABASE_URL: schema.url,
      ADMIN_DB_SCHEMA: schema.schema,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN,
    });
    deps = createDeps(config, createLogger('admin', 'silent'));
    await migrateToLatest(deps.db, schema.schema, migrations);
    http = await serve(createApp(deps));
    const created = await fetch(`${http.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-token': SERVICE_TOKEN },
      body: JSON.stringify({ external_id: 'fuzzco', display_name: 'Fuzz Co' }),
    });
    expect(created.status).toBe(201);
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
        document: loadOpenApi('admin'),
        headers: { 'x-service-token': SERVICE_TOKEN },
        pathParams: { tenant_id: 'fuzzco', key_id: '00000000-0000-4000-8000-000000000001' },
        operations: {
          ...Object.fromEntries(Object.entries(SEEDS).map(([key, seeds]) => [key, { seeds }])),
          'GET /v1/admin/tenants/{tenant_id}/audit': { query: { limit: '10' } },
          'GET /v1/admin/tenants/{tenant_id}/config/versions': { query: { limit: '10' } },
          'GET /v1/admin/tenants/{tenant_id}/rules/versions': { query: { limit: '10' } },
        },
        runsPerOperation: RUNS,
        concurrency: 16,
      });
      process.stdout.write(`${formatFuzzReport(report)}\n`);
      expect(report.operations.length).toBeGreaterThan(10);
      expect(report.failures).toEqual([]);
    },
    30 * 60_000,
  );
});

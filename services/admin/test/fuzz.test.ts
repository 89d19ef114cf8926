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

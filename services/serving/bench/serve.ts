/**
 * HTTP benchmark of /v1/recommend (not a test): `pnpm --filter @recsys/serving run bench`.
 *
 * Loads a synthetic snapshot (BENCH_ITEMS items with co-visitation and item-to-item neighbours, BENCH_USERS users
 * with history) through the real bulk-load endpoint, then measures, in the same run and with the same autocannon
 * settings: serving's /v1/recommend (k=20, known users, exposures on), an express 5 hello-world and a node:http
 * server returning the same response bytes. Needs Postgres and Redis (TEST_DATABASE_URL / TEST_REDIS_URL).
 * Auth uses dev headers (API keys need a running admin; the full-stack figure is `pnpm bench`).
 */
import { createServer } from 'node:http';
import autocannon from 'autocannon';
import express from 'express';
import { createLogger } from '@recsys/platform/logger';
import { migrateToLatest } from '@recsys/platform/db';
import { createTestRedis, createTestSchema, serve } from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps } from '../src/deps.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 20_000);
const USERS = Number(process.env.BENCH_USERS ?? 5_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TOKEN = 'bench-service-token-0123456789';
const T = 'bench';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function syntheticArtifacts() {
  const r = rng(42);
  const item = (i: number) => `item-${i}`;
  const zipf = () => Math.floor(ITEMS * Math.pow(r(), 3));
  const env = {
    v: 1,
    tenant: T,
    surface: 'home',
    segment: 'default',
    window: { start: '2026-01-01T00:00:00Z', end: '2026-01-31T00:00:00Z' },
    build: { built_at: '2026-01-31T00:00:00Z', version: 'bench', source_hash: 'synthetic', params: {} },
    counts: {},
  };
  const neighbours = (n: number) =>
    Array.from({ length: ITEMS }, (_, i) => ({
      item_id: item(i),
      items: Array.from({ length: n }, (_, j) => ({ item_id: item(zipf()), score: n - j })),
    }));
  return {
    popularity: {
      ...env,
      artifact_type: 'popularity',
      items: Array.from({ length: ITEMS }, (_, i) => ({
        item_id: item(i),
        score: ITEMS / (i + 1),
        count: ITEMS - i,
      })),
    },
    cooc: { ...env, artifact_type: 'cooc', neighbors: neighbours(20) },
    i2i: { ...env, artifact_type: 'i2i', neighbors: neighbours(20) },
    implicit: {
      ...env,
      artifact_type: 'implicit',
      users: Array.from({ length: USERS }, (_, u) => ({
        user_id: `user-${u}`,
        items: Array.from({ length: 10 }, () => ({ item_id: item(zipf()), score: 1 + Math.floor(r() * 5) })),
      })),
    },
    catalog: {
      ...env,
      artifact_type: 'catalog',
      items: Array.from({ length: ITEMS }, (_, i) => ({
        item_id: item(i),
        tags: [`cat-${i % 50}`],
        available: true,
      })),
    },
  };
}

async function load(url: string, body: string, headers: Record<string, string>) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    // The load generator runs in a worker thread so it does not share the event loop with the server under test.
    workers: 1,
    duration: DURATION,
    headers,
    body,
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

const schema = await createTestSchema('bench');
const redis = await createTestRedis();
const config = loadConfig({
  DATABASE_URL: schema.url,
  SERVING_DB_SCHEMA: schema.schema,
  REDIS_URL: redis.url,
  REDIS_KEY_PREFIX: redis.prefix,
  SERVICE_TOKEN: TOKEN,
  DEV_AUTH_ENABLED: 'true',
  TENANT_RATE_LIMIT_ENABLED: 'false',
  LOG_LEVEL: 'silent',
});
const deps = createDeps(config, createLogger('serving', 'silent'));
await migrateToLatest(deps.db, schema.schema, migrations);
await deps.start();
const servingHttp = await serve(createApp(deps));
try {
  const heapBefore = process.memoryUsage().heapUsed;
  const base = `${servingHttp.url}/internal/v1/signals/${T}/home/default/versions/v1`;
  const svc = { 'content-type': 'application/json', 'X-Service-Token': TOKEN };
  const manifest = {
    v: 1,
    tenant: T,
    surface: 'home',
    segment: 'default',
    version: 'v1',
    current: {},
    updated_at: new Date().toISOString(),
  };
  const put = await fetch(base, {
    method: 'PUT',
    headers: svc,
    body: JSON.stringify({ manifest, artifacts: syntheticArtifacts() }),
  });
  if (put.status !== 201) throw new Error(`bulk load failed: ${put.status} ${await put.text()}`);
  await fetch(`${base}/activate`, { method: 'POST', headers: svc });
  if (global.gc) global.gc();
  const snapshot = deps.signals.liveSnapshots()[0]?.loaded.snapshot;
  const heapAfter = process.memoryUsage().heapUsed;

  const headers = { 'content-type': 'application/json', 'X-Dev-User-Id': 'bench', 'X-Dev-Org-Id': T };
  const requestBody = JSON.stringify({ surface: 'home', k: 20, user: { user_id: 'user-7' } });
  const sample = await fetch(`${servingHttp.url}/v1/recommend`, {
    method: 'POST',
    headers,
    body: requestBody,
  });
  const bytes = await sample.text();

  const hello = express();
  hello.post('/', (_req, res) => {
    res.type('application/json').send(bytes);
  });
  const expressHttp = await serve(hello);
  const raw = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(bytes) });
      res.end(bytes);
    });
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const rawUrl = `http://127.0.0.1:${(raw.address() as { port: number }).port}/`;

  const results = {
    'serving /v1/recommend': await load(`${servingHttp.url}/v1/recommend`, requestBody, headers),
    'express 5 hello-world (same bytes)': await load(`${expressHttp.url}/`, requestBody, headers),
    'node:http (same bytes)': await load(rawUrl, requestBody, headers),
  };
  await expressHttp.close();
  await new Promise((resolve) => raw.close(resolve));
  await deps.exposures?.flush();

  console.log(
    `\nserving bench: ${ITEMS} items, ${USERS} users, ${CONNECTIONS} connections, ${DURATION}s each`,
  );
  console.log(
    `snapshot approxBytes=${snapshot?.approxBytes ?? 0}, heap delta=${heapAfter - heapBefore} bytes, response ${bytes.length} bytes`,
  );
  console.table(results);
  const ratio =
    results['serving /v1/recommend'].rps / Math.max(1, results['express 5 hello-world (same bytes)'].rps);
  console.log(`serving / express hello-world rps = ${ratio.toFixed(2)} (target >= 0.6)`);
} finally {
  await servingHttp.close();
  for (const closer of deps.closers) await closer.close();
  await redis.cleanup();
  await schema.drop();
}

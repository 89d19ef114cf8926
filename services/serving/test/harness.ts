/**
 * Test harness: a real serving app (real Postgres schema, Redis prefix, stream consumers) on an ephemeral
 * port, plus helpers to publish signal versions through the internal bulk-load endpoints and to build
 * artifact documents. Admin is either a small stub of its runtime/keys contract (admin-stub.ts) or the real
 * admin service spawned by the test.
 */
import { createLogger } from '@recsys/platform/logger';
import { migrateToLatest } from '@recsys/platform/db';
import { createTestRedis, createTestSchema, serve, type TestRedis, type TestSchema } from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

export const SERVICE_TOKEN = 'test-service-token-0123456789';

export interface Serving {
  url: string;
  deps: Deps;
  config: Config;
  schema: TestSchema;
  redis: TestRedis;
  close: () => Promise<void>;
}

export async function startServing(
  env: Record<string, string> = {},
  shared?: { schema?: TestSchema; redis?: TestRedis },
): Promise<Serving> {
  const schema = shared?.schema ?? (await createTestSchema('serving'));
  const redis = shared?.redis ?? (await createTestRedis());
  const config = loadConfig({
    DATABASE_URL: schema.url,
    SERVING_DB_SCHEMA: schema.schema,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    SERVICE_TOKEN,
    DEV_AUTH_ENABLED: 'true',
    ADMIN_URL: 'http://127.0.0.1:9',
    TENANT_RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const deps = createDeps(config, createLogger('serving', config.LOG_LEVEL));
  await migrateToLatest(deps.db, schema.schema, migrations);
  await deps.start();
  const http = await serve(createApp(deps));
  return {
    url: http.url,
    deps,
    config,
    schema,
    redis,
    close: async () => {
      await http.close();
      for (const closer of deps.closers) await closer.close();
      if (!shared?.redis) await redis.cleanup();
      if (!shared?.schema) await schema.drop();
    },
  };
}

/** Dev-auth headers for a tenant (roles optional), JSON body. */
export function devHeaders(tenant: string, roles: string[] = [], extra: Record<string, string> = {}) {
  return {
    'content-type': 'application/json',
    'X-Dev-User-Id': 'tester',
    'X-Dev-Org-Id': tenant,
    ...(roles.length ? { 'X-Dev-Roles': roles.join(',') } : {}),
    ...extra,
  };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

// ---- artifact documents ------------------------------------------------------------------------------------

export interface SignalSpec {
  popularity?: Record<string, number>;
  cooc?: Record<string, Record<string, number>>;
  i2i?: Record<string, Record<string, number>>;
  session?: Record<string, Record<string, number>>;
  catalog?: Record<string, { tags?: string[]; available?: boolean }>;
}

const WINDOW = { start: '2026-01-01T00:00:00Z', end: '2026-01-31T00:00:00Z' };
const BUILD = { built_at: '2026-01-31T00:00:00Z', version: 'test', source_hash: 'x', params: {} };

function envelope(tenant: string, surface: string, segment: string) {
  return { v: 1, tenant, surface, segment, window: WINDOW, build: BUILD, counts: {} };
}

function lists(spec: Record<string, Record<string, number>>) {
  return Object.entries(spec).map(([item_id, nbs]) => ({
    item_id,
    items: Object.entries(nbs).map(([id, score]) => ({ item_id: id, score })),
  }));
}

export function artifactsFor(tenant: string, surface: string, segment: string, spec: SignalSpec) {
  const env = envelope(tenant, surface, segment);
  const out: Record<string, unknown> = {};
  if (spec.popularity) {
    out.popularity = {
      ...env,
      artifact_type: 'popularity',
      items: Object.entries(spec.popularity).map(([item_id, score]) => ({
        item_id,
        score,
        count: Math.round(score),
      })),
    };
  }
  if (spec.cooc) out.cooc = { ...env, artifact_type: 'cooc', neighbors: lists(spec.cooc) };
  if (spec.i2i) out.i2i = { ...env, artifact_type: 'i2i', neighbors: lists(spec.i2i) };
  if (spec.session)
    out.session_seq = { ...env, artifact_type: 'session_seq', neighbors: lists(spec.session) };
  if (spec.catalog) {
    out.catalog = {
      ...env,
      artifact_type: 'catalog',
      items: Object.entries(spec.catalog).map(([item_id, c]) => ({
        item_id,
        tags: c.tags ?? [],
        available: c.available ?? true,
      })),
    };
  }
  return out;
}

export function manifestFor(
  tenant: string,
  surface: string,
  segment: string,
  version: string,
  current: Record<string, string> = {},
  artifacts: Record<string, { uri: string; sha256: string; bytes: number }> = {},
) {
  return {
    v: 1,
    tenant,
    surface,
    segment,
    version,
    current,
    artifacts,
    updated_at: new Date().toISOString(),
    previous_version: null,
  };
}

/** Stages and (optionally) activates a DB-only signal version through the internal endpoints. */
export async function publishVersion(
  serving: { url: string },
  key: { tenant: string; surface: string; segment?: string },
  version: string,
  spec: SignalSpec,
  activate = true,
): Promise<void> {
  const segment = key.segment ?? 'default';
  const base = `${serving.url}/internal/v1/signals/${key.tenant}/${key.surface}/${segment}/versions/${version}`;
  const headers = { 'content-type': 'application/json', 'X-Service-Token': SERVICE_TOKEN };
  const put = await fetch(base, {
    method: 'PUT',
    headers,
    body: JSON.stringify({
      manifest: manifestFor(key.tenant, key.surface, segment, version),
      artifacts: artifactsFor(key.tenant, key.surface, segment, spec),
    }),
  });
  if (put.status !== 201) throw new Error(`stage failed: ${put.status} ${await put.text()}`);
  if (!activate) return;
  const act = await fetch(`${base}/activate`, { method: 'POST', headers });
  if (act.status !== 200) throw new Error(`activate failed: ${act.status} ${await act.text()}`);
}

export function ids(body: { items: { item_id: string }[] }): string[] {
  return body.items.map((i) => i.item_id);
}

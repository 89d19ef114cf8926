import { createLogger } from '@recsys/platform/logger';
import { migrateToLatest } from '@recsys/platform/db';
import { createTestRedis, createTestSchema, serve, type TestRedis, type TestSchema } from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

export const SERVICE_TOKEN = 'test-service-token-0123456789';

export interface Harness {
  schema: TestSchema;
  redis: TestRedis;
  deps: Deps;
  url: string;
  env: Record<string, string>;
  close: () => Promise<void>;
}

/** A migrated schema, a Redis prefix and the app served in-process; workers are not started. */
export async function startIngest(
  env: Record<string, string> = {},
  redisUrl?: string,
  existing?: { schema: TestSchema; redis: TestRedis },
): Promise<Harness> {
  const schema = existing?.schema ?? (await createTestSchema('ingest'));
  const redis = existing?.redis ?? (await createTestRedis());
  const fullEnv = {
    DATABASE_URL: schema.url,
    INGEST_DB_SCHEMA: schema.schema,
    REDIS_URL: redisUrl ?? redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    SERVICE_TOKEN,
    INGEST_TENANT_CHECK: 'false',
    INGEST_RETENTION_DAYS: '0',
    LOG_LEVEL: 'silent',
    ...env,
  };
  const deps = createDeps(loadConfig(fullEnv), createLogger('ingest', 'silent'));
  await migrateToLatest(deps.db, schema.schema, migrations);
  const http = await serve(createApp(deps));
  return {
    schema,
    redis,
    deps,
    url: http.url,
    env: fullEnv,
    close: async () => {
      await http.close();
      for (const closer of deps.closers) await closer.close();
      if (existing) return;
      await redis.cleanup();
      await schema.drop();
    },
  };
}

export function asService(tenant: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-service-token': SERVICE_TOKEN, 'x-org-id': tenant, ...extra };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export function parseNdjson(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

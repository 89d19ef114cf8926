import { CONTROL_STREAM } from '@recsys/contracts-admin';
import { migrateToLatest } from '@recsys/platform/db';
import { createLogger } from '@recsys/platform/logger';
import { createTestRedis, createTestSchema, serve, type TestRedis, type TestSchema } from '@recsys/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDeps, type Deps } from '../src/deps.js';

export const SERVICE_TOKEN = 'test-service-token-0123456789';
export const HASH_SECRET = 'test-hash-secret-0123456789';

export interface TestAdmin {
  schema: TestSchema;
  redis: TestRedis;
  deps: Deps;
  url: string;
  /** Headers of a cross-tenant service caller. */
  service: Record<string, string>;
  /** Fetch JSON helper: returns status, headers and parsed body. */
  call: (
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: unknown; raw?: string },
  ) => Promise<{ status: number; headers: Headers; body: any }>;
  /** Every entry on the control stream so far, as {type, payload}. */
  controlEvents: () => Promise<{ type: string; payload: any }[]>;
  close: () => Promise<void>;
}

export async function startAdmin(env: Record<string, string> = {}): Promise<TestAdmin> {
  const schema = await createTestSchema('admin');
  const redis = await createTestRedis();
  const config = loadConfig({
    DATABASE_URL: schema.url,
    ADMIN_DB_SCHEMA: schema.schema,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    SERVICE_TOKEN,
    API_KEY_HASH_SECRET: HASH_SECRET,
    ...env,
  });
  const deps = createDeps(config, createLogger('admin', 'silent'));
  await migrateToLatest(deps.db, schema.schema, migrations);
  const http = await serve(createApp(deps));
  const call: TestAdmin['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(http.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return {
    schema,
    redis,
    deps,
    url: http.url,
    service: { 'x-service-token': SERVICE_TOKEN },
    call,
    controlEvents: async () => {
      const entries = await redis.redis.xrange(redis.prefix + CONTROL_STREAM, '-', '+');
      return entries.map(([, fields]) => {
        const map: Record<string, string> = {};
        for (let i = 0; i < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
        return { type: map.type!, payload: JSON.parse(map.payload!) };
      });
    },
    close: async () => {
      await http.close();
      for (const closer of deps.closers) await closer.close();
      await redis.cleanup();
      await schema.drop();
    },
  };
}

/** Creates a tenant and a key with the given roles through the API; returns the key secret. */
export async function tenantWithKey(admin: TestAdmin, tenant: string, roles: string[]): Promise<string> {
  const created = await admin.call('POST', '/v1/admin/tenants', {
    headers: admin.service,
    body: { external_id: tenant, display_name: tenant },
  });
  if (created.status !== 201 && created.status !== 409) throw new Error(`tenant create ${created.status}`);
  return keyFor(admin, tenant, roles);
}

export async function keyFor(admin: TestAdmin, tenant: string, roles: string[]): Promise<string> {
  const key = await admin.call('POST', `/v1/admin/tenants/${tenant}/keys`, {
    headers: admin.service,
    body: { name: `${roles.join('+')} key`, roles },
  });
  if (key.status !== 201) throw new Error(`key create ${key.status}: ${JSON.stringify(key.body)}`);
  return key.body.api_key as string;
}

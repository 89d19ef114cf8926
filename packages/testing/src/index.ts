/**
 * Test helpers. Every test file gets its own Postgres schema and Redis key prefix on the real servers,
 * created and dropped by the test itself; nothing depends on state left by hand.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

export interface TestSchema {
  url: string;
  schema: string;
  /** Run SQL against the schema (search_path set to it). */
  query: <R extends pg.QueryResultRow = any>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;
  drop: () => Promise<void>;
}

/** Creates an empty schema `<prefix>_<unique>` on the test database; `drop()` removes it with everything in it. */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const schema = `t_${prefix}_${uniqueSuffix()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    options: `-c search_path=${schema},public`,
  });
  await client.connect();
  await client.query(`create schema "${schema}"`);
  return {
    url: TEST_DATABASE_URL,
    schema,
    query: (text, values) => client.query(text, values as unknown[]),
    drop: async () => {
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestRedis {
  url: string;
  prefix: string;
  redis: Redis;
  /** Deletes every key under the prefix and disconnects. */
  cleanup: () => Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const prefix = `test:${uniqueSuffix()}:`;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  return {
    url: TEST_REDIS_URL,
    prefix,
    redis,
    cleanup: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}

/** Starts an app (anything with `listen`) on an ephemeral port and returns its base URL. */
export async function serve(app: {
  listen: (port: number, host: string, cb: () => void) => Server;
}): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check` returns a truthy value or the timeout passes. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`waitFor timed out after ${timeoutMs}ms${lastError ? `: ${String(lastError)}` : ''}`);
}

export { startS3, type TestS3 } from './s3.js';
export * from './fuzz.js';
export * from './matrix.js';

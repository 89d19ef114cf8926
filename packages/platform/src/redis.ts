import { Redis, type RedisOptions } from 'ioredis';

export { Redis };

/**
 * A Redis client that fails commands fast while disconnected (instead of queueing them forever), keeps
 * reconnecting in the background, and never crashes the process on a connection error.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
    ...options,
  });
  client.on('error', () => undefined);
  return client;
}

/**
 * Defines a Lua script as a command of the client, once per client: ioredis runs it by EVALSHA and falls back to
 * EVAL once when Redis's script cache is empty. With `numberOfKeys` null, each call passes its key count first.
 */
export function defineScript(redis: Redis, name: string, lua: string, numberOfKeys: number | null = 1): void {
  if (!(name in redis)) redis.defineCommand(name, numberOfKeys === null ? { lua } : { numberOfKeys, lua });
}

export async function pingRedis(redis: Redis): Promise<string> {
  if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
  await redis.ping();
  return 'redis reachable';
}

/** Stream and key names carry the deployment prefix so several stacks (or test files) can share one Redis. */
export function prefixed(prefix: string, name: string): string {
  return prefix ? `${prefix}${name}` : name;
}

import { defineScript, prefixed, type Redis } from '@recsys/platform/redis';

/**
 * Token bucket in Redis, shared by every replica: one EVALSHA per request. The script reads the Redis
 * clock (TIME), so replicas with skewed clocks agree. Returns [allowed (0|1), ms until a token is available].
 */
const SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
if tokens == nil then tokens = capacity; ts = now end
local elapsed = now - ts
if elapsed < 0 then elapsed = 0 end
tokens = math.min(capacity, tokens + elapsed * rate / 1000)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
elseif rate > 0 then
  wait = math.ceil((1 - tokens) * 1000 / rate)
else
  wait = -1
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
local ttl = 60000
if rate > 0 then ttl = math.ceil(capacity * 1000 / rate) + 1000 end
redis.call('PEXPIRE', key, ttl)
return {allowed, wait}
`;

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds to wait before retrying (≥ the configured Retry-After). */
  retryAfterSeconds: number;
  /** Which bucket decided: the shared Redis one, or this replica's fallback while Redis is unreachable. */
  source: 'redis' | 'local' | 'fail-open';
}

export interface RateLimitOptions {
  capacity: number;
  refillPerSecond: number;
  retryAfterMs: number;
  failOpen: boolean;
}

export class TenantRateLimiter {
  private readonly local = new Map<string, { tokens: number; ts: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly options: RateLimitOptions,
  ) {
    defineScript(redis, 'recsysTokenBucket', SCRIPT);
  }

  async take(tenantId: string): Promise<RateLimitDecision> {
    const key = prefixed(this.keyPrefix, `serving:ratelimit:${tenantId}`);
    try {
      const [allowed, wait] = (await (this.redis as any).recsysTokenBucket(
        key,
        String(this.options.capacity),
        String(this.options.refillPerSecond),
      )) as [number, number];
      return { allowed: allowed === 1, retryAfterSeconds: this.retryAfter(wait), source: 'redis' };
    } catch {
      if (this.options.failOpen) return { allowed: true, retryAfterSeconds: 0, source: 'fail-open' };
      return this.takeLocal(tenantId);
    }
  }

  private takeLocal(tenantId: string): RateLimitDecision {
    const now = Date.now();
    const { capacity, refillPerSecond } = this.options;
    const bucket = this.local.get(tenantId) ?? { tokens: capacity, ts: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.ts) * refillPerSecond) / 1000);
    bucket.ts = now;
    this.local.set(tenantId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, source: 'local' };
    }
    const wait = refillPerSecond > 0 ? Math.ceil(((1 - bucket.tokens) * 1000) / refillPerSecond) : -1;
    return { allowed: false, retryAfterSeconds: this.retryAfter(wait), source: 'local' };
  }

  private retryAfter(waitMs: number): number {
    const base = Math.max(1, Math.ceil(this.options.retryAfterMs / 1000));
    if (waitMs < 0) return base;
    return Math.max(base, Math.ceil(waitMs / 1000));
  }
}

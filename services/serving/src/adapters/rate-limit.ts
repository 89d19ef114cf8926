import { defineScript, prefixed, type Redis } from '@recsys/platform/redis';
import { TurnBatches } from '@recsys/platform/turn-batches';

/**
 * Token bucket in Redis, shared by every replica. The script takes up to ARGV[3] tokens at once, so the
 * requests one replica receives for a tenant in the same event-loop turn cost one EVALSHA between them. It
 * reads the Redis clock (TIME), so replicas with skewed clocks agree. Returns [tokens granted, ms until the
 * next token is available (-1: never)].
 */
const SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
if tokens == nil then tokens = capacity; ts = now end
local elapsed = now - ts
if elapsed < 0 then elapsed = 0 end
tokens = math.min(capacity, tokens + elapsed * rate / 1000)
local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
local wait = 0
if granted < wanted then
  if rate > 0 then wait = math.ceil((1 - tokens) * 1000 / rate) else wait = -1 end
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
local ttl = 60000
if rate > 0 then ttl = math.ceil(capacity * 1000 / rate) + 1000 end
redis.call('PEXPIRE', key, ttl)
return {granted, wait}
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
  /** Per tenant, the requests of one turn waiting on the same script call, in arrival order. */
  private readonly pending = new TurnBatches<(decision: RateLimitDecision) => void>((tenantId, waiters) => {
    void this.decide(tenantId, waiters);
  });

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly options: RateLimitOptions,
  ) {
    defineScript(redis, 'recsysTokenBucketN', SCRIPT);
  }

  /**
   * Takes one token for the tenant. Takes of the same tenant in one event-loop turn join one script call,
   * which grants tokens in arrival order: the same decisions as one call each, at one Redis command.
   */
  take(tenantId: string): Promise<RateLimitDecision> {
    return new Promise((resolve) => this.pending.add(tenantId, resolve));
  }

  private async decide(
    tenantId: string,
    waiters: Array<(decision: RateLimitDecision) => void>,
  ): Promise<void> {
    const key = prefixed(this.keyPrefix, `serving:ratelimit:${tenantId}`);
    let granted: number;
    let wait: number;
    try {
      [granted, wait] = (await (this.redis as any).recsysTokenBucketN(
        key,
        String(this.options.capacity),
        String(this.options.refillPerSecond),
        String(waiters.length),
      )) as [number, number];
    } catch {
      for (const resolve of waiters) {
        resolve(
          this.options.failOpen
            ? { allowed: true, retryAfterSeconds: 0, source: 'fail-open' }
            : this.takeLocal(tenantId),
        );
      }
      return;
    }
    const denied: RateLimitDecision = {
      allowed: false,
      retryAfterSeconds: this.retryAfter(wait),
      source: 'redis',
    };
    const allowed: RateLimitDecision = {
      allowed: true,
      retryAfterSeconds: this.retryAfter(0),
      source: 'redis',
    };
    waiters.forEach((resolve, i) => resolve(i < granted ? allowed : denied));
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

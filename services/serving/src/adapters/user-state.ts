import type { OutcomeEvent } from '@recsys/contracts-ingest';
import { defineScript, prefixed, type Redis } from '@recsys/platform/redis';
import { TurnBatches } from '@recsys/platform/turn-batches';
import type { RecentInteraction } from '../domain/ranking/types.js';
import { hashId, hashUserIds, type UserIds } from '../domain/normalize.js';

/**
 * For each key, its newest `ARGV[1]` members and their scores (ZREVRANGE … WITHSCORES) as one string, fields
 * separated by NUL: one bulk reply per key instead of 2 × n, which is most of what the read costs the client.
 * NUL cannot occur in a member: ingest refuses it in every id.
 */
const RECENT_PACKED_MANY = `local limit = tonumber(ARGV[1]) - 1
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = table.concat(redis.call('ZREVRANGE', key, 0, limit, 'WITHSCORES'), '\\0')
end
return out`;

type PackedRedis = Redis & {
  recsysRecentPackedMany(keyCount: number, ...keysThenLimit: Array<string | number>): Promise<string[]>;
};

/** Keys read in one script call at most; a larger turn's reads go out as several calls. */
const MAX_KEYS_PER_READ = 256;

/** One key's read, waiting on its turn's script call. */
interface PendingRead {
  key: string;
  resolve: (text: string) => void;
  reject: (error: unknown) => void;
}

/**
 * Each user's recent interactions, one Redis sorted set per (tenant, id kind, id): member
 * `<type>\u0001<item_id>`, score = event time (ms). Bounded to `maxItems` newest entries and expiring
 * `ttlMs` after the last event. Writes are idempotent (ZADD GT keeps the newest time of a member), so
 * at-least-once delivery is harmless. Ids are keyed hashed when a salt is configured, as ingest stores them.
 */
export class UserStateStore {
  private readonly redis: PackedRedis;
  /** The reads of every request parsed in one turn go out as one script call after it. */
  private readonly reads = new TurnBatches<PendingRead>(
    (_, reads) => void this.readMany(reads),
    MAX_KEYS_PER_READ,
  );

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    private readonly salt: string | undefined,
    private readonly maxItems: number,
    private readonly ttlMs: number,
  ) {
    defineScript(redis, 'recsysRecentPackedMany', RECENT_PACKED_MANY, null);
    this.redis = redis as PackedRedis;
  }

  key(tenantId: string, kind: 'u' | 'a' | 's', id: string): string {
    return this.storedKey(tenantId, kind, hashId(id, this.salt));
  }

  private storedKey(tenantId: string, kind: 'u' | 'a' | 's', storedId: string): string {
    return prefixed(this.keyPrefix, `serving:recent:${tenantId}:${kind}:${storedId}`);
  }

  /** The keys of ids already hashed as stored (hashUserIds with this store's salt). */
  private keys(tenantId: string, storedIds: UserIds): string[] {
    const keys: string[] = [];
    if (storedIds.user_id) keys.push(this.storedKey(tenantId, 'u', storedIds.user_id));
    if (storedIds.session_id) keys.push(this.storedKey(tenantId, 's', storedIds.session_id));
    if (storedIds.anonymous_id) keys.push(this.storedKey(tenantId, 'a', storedIds.anonymous_id));
    return keys;
  }

  /**
   * Applies a batch of outcome events in one pipeline and returns how many it stored. An event older than the
   * TTL is not stored (it would have expired already had it arrived on time; a replayed import would otherwise
   * fill every user's state with months-old items that no request uses as context), and entries that have
   * aged past the TTL are trimmed from a key whenever it is written.
   */
  async record(events: OutcomeEvent[], now = Date.now()): Promise<{ stored: number; stale: number }> {
    const cutoff = now - this.ttlMs;
    const pipeline = this.redis.pipeline();
    let stored = 0;
    for (const event of events) {
      const at = Date.parse(event.occurred_at);
      if (!(at >= cutoff)) continue;
      stored++;
      const member = `${event.type}\u0001${event.item_id}`;
      for (const key of this.keys(event.tenant_id, hashUserIds(event, this.salt))) {
        pipeline.zadd(key, 'GT', at, member);
        pipeline.zremrangebyrank(key, 0, -(this.maxItems + 1));
        pipeline.zremrangebyscore(key, '-inf', `(${cutoff}`);
        pipeline.pexpire(key, this.ttlMs);
      }
    }
    if (stored > 0) {
      const results = (await pipeline.exec()) ?? [];
      for (const [error] of results) if (error) throw error;
    }
    return { stored, stale: events.length - stored };
  }

  /** Recent interactions of every id the request carries, newest first. */
  read(tenantId: string, ids: UserIds): Promise<RecentInteraction[]> {
    return this.readStored(tenantId, hashUserIds(ids, this.salt));
  }

  /** As read, for ids already hashed as stored (hashUserIds with this store's salt). */
  async readStored(tenantId: string, storedIds: UserIds): Promise<RecentInteraction[]> {
    const keys = this.keys(tenantId, storedIds);
    if (!keys.length) return [];
    const packed = await Promise.all(keys.map((key) => this.readPacked(key)));
    // Newest time per member across the keys (a member is unique within one key, so one key needs no map).
    const interactions: RecentInteraction[] = [];
    const newest = packed.length > 1 ? new Map<string, RecentInteraction>() : undefined;
    for (const text of packed) {
      if (!text) continue;
      const fields = text.split('\0');
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const member = fields[i]!;
        const at = Number(fields[i + 1]);
        const existing = newest?.get(member);
        if (existing) {
          if (existing.at < at) existing.at = at;
          continue;
        }
        const sep = member.indexOf('\u0001');
        const interaction = { type: member.slice(0, sep), itemId: member.slice(sep + 1), at };
        newest?.set(member, interaction);
        interactions.push(interaction);
      }
    }
    return interactions.sort((a, b) => b.at - a.at || (a.itemId < b.itemId ? -1 : 1)).slice(0, this.maxItems);
  }

  /** One key's packed text, read with the other keys of its turn: one command for Redis and the client. */
  private readPacked(key: string): Promise<string> {
    return new Promise((resolve, reject) => this.reads.add('', { key, resolve, reject }));
  }

  private async readMany(reads: PendingRead[]): Promise<void> {
    try {
      const keys = reads.map((read) => read.key);
      const texts = await this.redis.recsysRecentPackedMany(keys.length, ...keys, this.maxItems);
      reads.forEach((read, i) => read.resolve(texts[i] ?? ''));
    } catch (error) {
      for (const read of reads) read.reject(error);
    }
  }
}

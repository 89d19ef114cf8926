import type { OutcomeEvent } from '@recsys/contracts-ingest';
import { prefixed, type Redis } from '@recsys/platform/redis';
import type { RecentInteraction } from '../domain/ranking/types.js';
import { hashId } from '../domain/normalize.js';

export interface SubjectIds {
  user_id?: string;
  anonymous_id?: string;
  session_id?: string;
}

/**
 * Each user's recent interactions, one Redis sorted set per (tenant, id kind, id): member
 * `<type>\u0001<item_id>`, score = event time (ms). Bounded to `maxItems` newest entries and expiring
 * `ttlMs` after the last event. Writes are idempotent (ZADD GT keeps the newest time of a member), so
 * at-least-once delivery is harmless. Ids are keyed hashed when a salt is configured, as ingest stores them.
 */
export class UserStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly salt: string | undefined,
    private readonly maxItems: number,
    private readonly ttlMs: number,
  ) {}

  key(tenantId: string, kind: 'u' | 'a' | 's', id: string): string {
    return prefixed(this.keyPrefix, `serving:recent:${tenantId}:${kind}:${hashId(id, this.salt)}`);
  }

  private keys(tenantId: string, ids: SubjectIds): string[] {
    const keys: string[] = [];
    if (ids.user_id) keys.push(this.key(tenantId, 'u', ids.user_id));
    if (ids.session_id) keys.push(this.key(tenantId, 's', ids.session_id));
    if (ids.anonymous_id) keys.push(this.key(tenantId, 'a', ids.anonymous_id));
    return keys;
  }

  /** Applies a batch of outcome events in one pipeline. */
  async record(events: OutcomeEvent[]): Promise<void> {
    if (!events.length) return;
    const pipeline = this.redis.pipeline();
    for (const event of events) {
      const at = Date.parse(event.occurred_at);
      const member = `${event.type}\u0001${event.item_id}`;
      for (const key of this.keys(event.tenant_id, event)) {
        pipeline.zadd(key, 'GT', at, member);
        pipeline.zremrangebyrank(key, 0, -(this.maxItems + 1));
        pipeline.pexpire(key, this.ttlMs);
      }
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
  }

  /** Recent interactions of every id the request carries, newest first. */
  async read(tenantId: string, ids: SubjectIds): Promise<RecentInteraction[]> {
    const keys = this.keys(tenantId, ids);
    if (!keys.length) return [];
    // One round trip: the client pipelines commands of the same tick (enableAutoPipelining, see deps.ts).
    const lists = await Promise.all(
      keys.map((key) => this.redis.zrevrange(key, 0, this.maxItems - 1, 'WITHSCORES')),
    );
    const seen = new Map<string, RecentInteraction>();
    for (const flat of lists) {
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const member = flat[i]!;
        const sep = member.indexOf('\u0001');
        const interaction: RecentInteraction = {
          type: member.slice(0, sep),
          itemId: member.slice(sep + 1),
          at: Number(flat[i + 1]),
        };
        const existing = seen.get(member);
        if (!existing || existing.at < interaction.at) seen.set(member, interaction);
      }
    }
    return [...seen.values()]
      .sort((a, b) => b.at - a.at || (a.itemId < b.itemId ? -1 : 1))
      .slice(0, this.maxItems);
  }
}

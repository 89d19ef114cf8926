import type { Logger } from '@recsys/platform/logger';
import type { Redis } from '@recsys/platform/redis';

export interface TailedStream {
  stream: string;
  handle: (type: string, payload: unknown) => Promise<void> | void;
}

type XReadReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * Broadcast reading (plain XREAD, no consumer group): every replica sees every entry. Used for what each
 * replica must apply to its own memory — control events (cache invalidation, tenant disabled, key revoked),
 * manifest events (snapshot reload) and catalog changes. Starts at the current end of each stream.
 */
export class StreamTailer {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly ids = new Map<string, string>();

  constructor(
    /** A dedicated connection: XREAD BLOCK holds it. */
    private readonly redis: Redis,
    private readonly streams: TailedStream[],
    private readonly logger: Logger,
    private readonly blockMs = 1000,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.initIds().catch(() => undefined);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop;
  }

  private async initIds(): Promise<void> {
    for (const { stream } of this.streams) {
      const last = (await this.redis.xrevrange(stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
      this.ids.set(stream, last[0]?.[0] ?? '0-0');
    }
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        if (this.ids.size < this.streams.length) await this.initIds();
        await this.pollOnce();
        backoff = 100;
      } catch (error) {
        if (!this.running) break;
        this.logger.warn({ err: error }, 'stream tail error; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  async pollOnce(): Promise<number> {
    const names = this.streams.map((s) => s.stream);
    const reply = (await this.redis.xread(
      'COUNT',
      500,
      'BLOCK',
      this.blockMs,
      'STREAMS',
      ...names,
      ...names.map((n) => this.ids.get(n) ?? '$'),
    )) as XReadReply;
    let handled = 0;
    for (const [stream, entries] of reply ?? []) {
      const target = this.streams.find((s) => s.stream === stream);
      for (const [id, fields] of entries) {
        this.ids.set(stream, id);
        const map: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
        try {
          await target?.handle(map.type ?? '', JSON.parse(map.payload ?? 'null'));
          handled++;
        } catch (error) {
          this.logger.warn({ err: error, stream, id }, 'stream entry ignored');
        }
      }
    }
    return handled;
  }
}

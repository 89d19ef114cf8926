/**
 * Follows admin's control stream (`recsys.control.v1`) without a consumer group: every ingest instance must
 * see every event. Key revocations and tenant status changes drop the cached answers at once.
 */
import { ControlEvent } from '@recsys/contracts-admin';
import type { Logger } from '@recsys/platform/logger';
import type { Redis } from '@recsys/platform/redis';

export interface ControlHandlers {
  onKeyRevoked: (tenantId: string, keyId: string) => void;
  onTenantChanged: (tenantId: string) => void;
}

export class ControlListener {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastId = '$';

  constructor(
    /** A dedicated connection: XREAD BLOCK holds it. */
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly handlers: ControlHandlers,
    private readonly logger: Logger,
    private readonly blockMs = 1000,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Resolves the start position now so events published after this call are seen. */
  async init(): Promise<void> {
    if (this.lastId !== '$') return;
    const last = (await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    this.lastId = last[0]?.[0] ?? '0-0';
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        await this.init();
        const response = (await this.redis.xread(
          'COUNT',
          100,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          this.stream,
          this.lastId,
        )) as [string, [string, string[]][]][] | null;
        for (const [id, fields] of response?.[0]?.[1] ?? []) {
          this.lastId = id;
          this.handle(fields);
        }
        backoff = 100;
      } catch (error) {
        this.logger.warn({ err: error }, 'control stream read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private handle(fields: string[]): void {
    const index = fields.indexOf('payload');
    if (index < 0 || index % 2 !== 0) return;
    let parsed;
    try {
      parsed = ControlEvent.safeParse(JSON.parse(fields[index + 1]!));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const event = parsed.data;
    if (event.type === 'key.revoked') this.handlers.onKeyRevoked(event.tenant_id, event.key_id);
    else if (event.type === 'tenant.disabled' || event.type === 'tenant.enabled')
      this.handlers.onTenantChanged(event.tenant_id);
  }
}

/** Retention: drops day partitions older than INGEST_RETENTION_DAYS (0 keeps everything). */
import type { Logger } from '@recsys/platform/logger';
import type { PartitionManager } from '../db/partitions.js';
import { daysBefore } from './time.js';

export async function applyRetention(
  partitions: PartitionManager,
  retentionDays: number,
  nowMs = Date.now(),
): Promise<{ cutoff: string | null; dropped: string[] }> {
  if (retentionDays <= 0) return { cutoff: null, dropped: [] };
  const cutoff = daysBefore(nowMs, retentionDays);
  return { cutoff, dropped: await partitions.dropBefore(cutoff) };
}

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly partitions: PartitionManager,
    private readonly retentionDays: number,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly onDropped: (count: number) => void = () => undefined,
  ) {}

  start(): void {
    if (this.retentionDays <= 0 || this.intervalMs <= 0 || this.timer) return;
    const tick = () => {
      this.running = applyRetention(this.partitions, this.retentionDays)
        .then(({ cutoff, dropped }) => {
          if (dropped.length) this.logger.info({ cutoff, dropped }, 'retention dropped partitions');
          this.onDropped(dropped.length);
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'retention run failed'));
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

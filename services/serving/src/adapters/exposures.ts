import { EXPOSURE_ENTRY_TYPE, type ExposureEvent } from '@recsys/contracts-serving';
import type { Logger } from '@recsys/platform/logger';
import type { StreamProducer } from '@recsys/platform/streams';
import type { ServingMetrics } from '../metrics.js';
import { exposureJson } from '../wire-json.js';

interface Pending {
  /** The packed stream line: `<type>\t<exposure JSON>`. */
  line: string;
  servedAt: number;
}

const BATCH = 500;

/**
 * Emits exposures to `recsys.exposures.v1` off the request path: `enqueue` only appends to a bounded
 * in-memory buffer and schedules a flush. While Redis is unreachable the buffer holds up to `maxBuffered`
 * exposures (the oldest are dropped and counted beyond that) and flushing retries with backoff.
 */
export class ExposureEmitter {
  private buffer: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private closed = false;

  constructor(
    private readonly producer: StreamProducer,
    private readonly metrics: ServingMetrics,
    private readonly logger: Logger,
    private readonly maxBuffered: number,
  ) {}

  /** `json` is the event's text when the caller already wrote it (servedJson); otherwise it is written here. */
  enqueue(event: ExposureEvent, json?: string): void {
    if (this.closed) return;
    this.buffer.push({
      line: `${EXPOSURE_ENTRY_TYPE}\t${json ?? exposureJson(event)}`,
      servedAt: Date.now(),
    });
    if (this.buffer.length > this.maxBuffered) {
      const excess = this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, excess);
      this.metrics.exposuresDropped.inc(excess);
    }
    this.schedule(0);
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Flushes what is buffered now (tests and shutdown). */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    this.flushing = this.drain();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** Stops scheduling and makes one last attempt to flush. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.flush().catch(() => undefined);
    if (this.buffer.length) {
      this.logger.warn({ lost: this.buffer.length }, 'exposures not flushed at shutdown');
      this.metrics.exposuresDropped.inc(this.buffer.length);
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.flushing) return;
    const wait = Math.max(delayMs, this.backoffMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, wait);
    this.timer.unref?.();
  }

  private async drain(): Promise<void> {
    while (this.buffer.length) {
      const batch = this.buffer.slice(0, BATCH);
      try {
        await this.producer.publishPacked(batch.map((p) => p.line).join('\n'));
      } catch (error) {
        this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 100), 5000);
        this.logger.warn({ err: error, buffered: this.buffer.length }, 'exposure emit failed; will retry');
        if (!this.closed) {
          this.flushing = undefined;
          setImmediate(() => this.schedule(this.backoffMs));
        }
        throw error;
      }
      this.backoffMs = 0;
      // Entries may have been dropped from the front meanwhile: remove exactly the ones sent.
      const sent = new Set(batch);
      this.buffer = this.buffer.filter((p) => !sent.has(p));
      const now = Date.now();
      for (const p of batch) this.metrics.exposureLag.observe((now - p.servedAt) / 1000);
      this.metrics.exposuresEmitted.inc(batch.length);
    }
  }
}

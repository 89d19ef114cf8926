/**
 * Publishes committed outbox rows on `recsys.events.v1` (entry type = event kind) and deletes them in the
 * same transaction that locked them. A crash between XADD and commit republishes the row: delivery is
 * at-least-once and consumers dedupe by event_id. While Redis is down rounds fail and are retried with
 * backoff; nothing is lost because the rows stay in Postgres.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '@recsys/platform/logger';
import type { StreamProducer } from '@recsys/platform/streams';
import * as outbox from '../db/outbox.repository.js';
import type { IngestDatabase } from '../db/schema.js';

export interface RelayOptions {
  /** Most outbox rows per round. */
  batchSize: number;
  /** Most event text per round, in bytes (one row more when the first alone is larger). */
  batchBytes: number;
  pollIntervalMs: number;
  logger: Logger;
  onPublished?: (count: number) => void;
  onError?: () => void;
}

export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;

  constructor(
    private readonly db: Kysely<IngestDatabase>,
    private readonly producer: StreamProducer,
    private readonly options: RelayOptions,
  ) {}

  /** Publishes one round of up to batchSize rows; returns how many events were published. */
  async runOnce(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await outbox.lockOldest(trx, this.options.batchSize, this.options.batchBytes);
      if (!rows.length) return 0;
      const published = await this.producer.publishPacked(rows.map((row) => row.packed).join('\n'));
      await outbox.remove(
        trx,
        rows.map((r) => r.id),
      );
      return published;
    });
  }

  /** Wakes the relay now (called after a commit that added outbox rows). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoffMs = this.options.pollIntervalMs;
    while (this.running) {
      try {
        this.kicked = false;
        const published = await this.runOnce();
        backoffMs = this.options.pollIntervalMs;
        if (published) {
          this.options.onPublished?.(published);
          continue;
        }
        await this.idle(this.options.pollIntervalMs);
      } catch (error) {
        this.options.onError?.();
        this.options.logger.warn({ err: error }, 'outbox relay round failed; retrying');
        await this.idle(backoffMs, true);
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  }

  private idle(ms: number, ignoreKick = false): Promise<void> {
    if (!this.running || (this.kicked && !ignoreKick)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = ignoreKick ? () => (this.running ? undefined : done()) : done;
    });
  }
}

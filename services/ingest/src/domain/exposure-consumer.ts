/**
 * Consumes serving's `recsys.exposures.v1` in consumer group `ingest`. A batch is stored in one transaction
 * (together with the consumer checkpoint) and acknowledged only after the commit, so a crash before the ack
 * leads to redelivery, which the idempotent insert turns into a no-op. Entries left pending by a dead
 * consumer are re-claimed after the idle time; an entry that keeps failing is dead-lettered with its reason
 * after INGEST_CONSUMER_MAX_DELIVERIES deliveries (an entry that is not an exposure at all, at once).
 */
import { ExposureEvent, type ExposureInput } from '@recsys/contracts-ingest';
import type { Logger } from '@recsys/platform/logger';
import type { Redis } from '@recsys/platform/redis';
import { StreamConsumer, type ConsumerOptions, type StreamMessage } from '@recsys/platform/streams';
import { normalizeExposure, type NormalizedEvent } from './normalize.js';
import type { EventStore } from './store.js';

export interface ExposureConsumerOptions {
  /** Registry for the consumer's pending-entries and dead-letter gauges (the stream-lag alerts read them). */
  registry?: ConsumerOptions<ExposureEvent>['registry'];
  stream: string;
  deadLetterStream: string;
  group: string;
  consumer: string;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  maxDeliveries: number;
  salt: string | undefined;
  maxFutureSkewMs: number;
  retentionDays: number;
  logger: Logger;
  onDeadLetter?: () => void;
  onStored?: (count: number) => void;
}

export function createExposureConsumer(
  redis: Redis,
  store: EventStore,
  options: ExposureConsumerOptions,
): StreamConsumer<ExposureEvent> {
  const handleBatch = async (messages: StreamMessage<ExposureEvent>[]) => {
    const nowMs = Date.now();
    const items: NormalizedEvent[] = [];
    for (const message of messages) {
      const item = normalizeExposure(message.payload as ExposureInput, {
        tenantId: message.payload.tenant_id,
        salt: options.salt,
        nowMs,
        maxFutureSkewMs: options.maxFutureSkewMs,
        retentionDays: options.retentionDays,
      });
      // Thrown, the batch is retried entry by entry; this entry then fails until it is dead-lettered.
      if (!item.ok) throw new Error(`${item.code}: ${item.reason}`);
      items.push(item);
    }
    const lastId = messages[messages.length - 1]!.id;
    await store.store(items, 'stream', (client) =>
      client.query(
        `insert into consumer_checkpoints (consumer, last_id, updated_at) values ($1, $2, now())
         on conflict (consumer) do update set last_id = excluded.last_id, updated_at = now()`,
        [`${options.group}/${options.consumer}`, lastId],
      ),
    );
    options.onStored?.(items.length);
  };
  return new StreamConsumer<ExposureEvent>(redis, {
    stream: options.stream,
    group: options.group,
    consumer: options.consumer,
    schema: ExposureEvent,
    handleBatch,
    deadLetterStream: options.deadLetterStream,
    maxDeliveries: options.maxDeliveries,
    claimIdleMs: options.claimIdleMs,
    batchSize: options.batchSize,
    blockMs: options.blockMs,
    startFrom: '0',
    logger: options.logger,
    ...(options.registry ? { registry: options.registry } : {}),
    onDeadLetter: () => options.onDeadLetter?.(),
  });
}

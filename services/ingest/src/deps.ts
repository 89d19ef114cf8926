import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { CONTROL_STREAM } from '@recsys/contracts-admin';
import {
  EVENTS_STREAM,
  EXPOSURES_CONSUMER_GROUP,
  EXPOSURES_STREAM,
  type ExposureEvent,
} from '@recsys/contracts-ingest';
import { authSettingsFromConfig, createAuth, remoteKeyVerifier, type Auth } from '@recsys/platform/auth';
import { createDb, createPool, pingDb } from '@recsys/platform/db';
import { HealthRegistry } from '@recsys/platform/health';
import { createInternalClient } from '@recsys/platform/internal-http';
import type { Logger } from '@recsys/platform/logger';
import { type Closer } from '@recsys/platform/lifecycle';
import { createMetrics, prom, type HttpMetrics } from '@recsys/platform/metrics';
import { createRedis, pingRedis, prefixed, type Redis } from '@recsys/platform/redis';
import { StreamProducer, type StreamConsumer } from '@recsys/platform/streams';
import type { Config } from './config.js';
import { pendingCount } from './db/outbox.repository.js';
import { PartitionManager } from './db/partitions.js';
import type { IngestDatabase } from './db/schema.js';
import { CatalogService } from './domain/catalog.js';
import { ControlListener } from './domain/control-listener.js';
import { createExposureConsumer } from './domain/exposure-consumer.js';
import type { IntakeSettings } from './domain/intake.js';
import { OutboxRelay } from './domain/outbox-relay.js';
import { RetentionJob } from './domain/retention.js';
import { EventStore } from './domain/store.js';
import { TenantGate } from './domain/tenant-gate.js';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

export interface IngestMetrics extends HttpMetrics {
  events: prom.Counter<'kind' | 'status'>;
  outboxPublished: prom.Counter;
  outboxErrors: prom.Counter;
  deadLetters: prom.Counter;
  partitionsDropped: prom.Counter;
}

/** The composition root: the only place adapters are constructed. Handlers receive these, never globals. */
export interface Deps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  db: Kysely<IngestDatabase>;
  redis: Redis;
  metrics: IngestMetrics;
  health: HealthRegistry;
  auth: Auth;
  tenantGate: TenantGate;
  partitions: PartitionManager;
  store: EventStore;
  catalog: CatalogService;
  intake: IntakeSettings;
  relay: OutboxRelay;
  consumer: StreamConsumer<ExposureEvent>;
  control: ControlListener;
  retention: RetentionJob;
  streams: { events: string; exposures: string; exposuresDeadLetter: string; control: string };
  /** Starts the background workers enabled by config (relay, consumer, control listener, retention). */
  startWorkers: () => void;
  /** Closed in this order on shutdown. */
  closers: Closer[];
}

export function createDeps(config: Config, logger: Logger): Deps {
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: config.INGEST_DB_SCHEMA,
    max: config.INGEST_DB_POOL_MAX,
    applicationName: 'recsys-ingest',
  });
  const db = createDb<IngestDatabase>(pool);
  const redis = createRedis(config.REDIS_URL);
  // XREADGROUP / XREAD BLOCK hold a connection each.
  const consumerRedis = createRedis(config.REDIS_URL);
  const controlRedis = createRedis(config.REDIS_URL);
  const base = createMetrics(SERVICE_NAME);
  const metrics: IngestMetrics = {
    ...base,
    events: new prom.Counter({
      name: 'ingest_events_total',
      help: 'Events handled by kind and result (accepted, duplicate, rejected).',
      labelNames: ['kind', 'status'],
      registers: [base.registry],
    }),
    outboxPublished: new prom.Counter({
      name: 'ingest_outbox_published_total',
      help: 'Events published on recsys.events.v1 by the outbox relay.',
      registers: [base.registry],
    }),
    outboxErrors: new prom.Counter({
      name: 'ingest_outbox_errors_total',
      help: 'Failed outbox relay rounds (e.g. Redis unavailable).',
      registers: [base.registry],
    }),
    deadLetters: new prom.Counter({
      name: 'ingest_exposures_dead_lettered_total',
      help: 'Exposure stream entries moved to the dead-letter stream.',
      registers: [base.registry],
    }),
    partitionsDropped: new prom.Counter({
      name: 'ingest_retention_partitions_dropped_total',
      help: 'Day partitions dropped by retention.',
      registers: [base.registry],
    }),
  };
  new prom.Gauge({
    name: 'ingest_outbox_pending_rows',
    help: 'Outbox rows not yet published.',
    registers: [base.registry],
    async collect() {
      try {
        this.set(await pendingCount(db));
      } catch {
        // leave the last value when Postgres is unreachable
      }
    },
  });

  const health = new HealthRegistry(SERVICE_NAME, SERVICE_VERSION);
  health.register({ name: 'postgres', required: true, probe: () => pingDb(db) });
  // Events are accepted while Redis is down (the outbox holds them), so Redis only degrades readiness.
  health.register({ name: 'redis', required: false, probe: () => pingRedis(redis) });

  const streams = {
    events: prefixed(config.REDIS_KEY_PREFIX, EVENTS_STREAM),
    exposures: prefixed(config.REDIS_KEY_PREFIX, EXPOSURES_STREAM),
    exposuresDeadLetter: prefixed(config.REDIS_KEY_PREFIX, `${EXPOSURES_STREAM}.dlq`),
    control: prefixed(config.REDIS_KEY_PREFIX, CONTROL_STREAM),
  };

  const admin = createInternalClient(config.ADMIN_URL, config.SERVICE_TOKEN);
  const verifier = remoteKeyVerifier(admin, { ttlMs: config.API_KEY_CACHE_TTL });
  const auth = createAuth(authSettingsFromConfig(config), {
    verifyApiKey: verifier,
    serviceToken: config.SERVICE_TOKEN,
  });
  const tenantGate = new TenantGate(admin, {
    enabled: config.INGEST_TENANT_CHECK,
    ttlMs: config.INGEST_TENANT_CACHE_TTL,
  });
  const control = new ControlListener(
    controlRedis,
    streams.control,
    {
      onKeyRevoked: (_tenant, keyId) => verifier.invalidateKey(keyId),
      onTenantChanged: (tenant) => {
        verifier.invalidateTenant(tenant);
        tenantGate.invalidate(tenant);
      },
    },
    logger,
  );

  const partitions = new PartitionManager(db, config.INGEST_DB_SCHEMA);
  const producer = new StreamProducer(redis, streams.events, config.INGEST_EVENTS_STREAM_MAXLEN);
  const relay = new OutboxRelay(db, producer, {
    batchSize: config.INGEST_OUTBOX_BATCH_SIZE,
    batchBytes: config.INGEST_OUTBOX_BATCH_BYTES,
    pollIntervalMs: config.INGEST_OUTBOX_POLL_INTERVAL,
    logger,
    onPublished: (n) => metrics.outboxPublished.inc(n),
    onError: () => metrics.outboxErrors.inc(),
  });
  const store = new EventStore(pool, partitions, {
    onOutbox: () => relay.kick(),
    onResult: (kind, status, count) => metrics.events.inc({ kind, status }, count),
  });
  const intake: IntakeSettings = {
    salt: config.EXPOSURE_HASH_SALT,
    maxFutureSkewMs: config.INGEST_MAX_FUTURE_SKEW,
    retentionDays: config.INGEST_RETENTION_DAYS,
    maxBatchSize: config.INGEST_MAX_BATCH_SIZE,
  };
  const catalog = new CatalogService(
    db,
    partitions,
    { maxFutureSkewMs: config.INGEST_MAX_FUTURE_SKEW, retentionDays: config.INGEST_RETENTION_DAYS },
    () => relay.kick(),
  );
  const consumer = createExposureConsumer(consumerRedis, store, {
    registry: base.registry,
    stream: streams.exposures,
    deadLetterStream: streams.exposuresDeadLetter,
    group: EXPOSURES_CONSUMER_GROUP,
    consumer: config.INGEST_CONSUMER_NAME ?? `${hostname()}-${process.pid}`,
    batchSize: config.INGEST_CONSUMER_BATCH_SIZE,
    blockMs: config.INGEST_CONSUMER_BLOCK,
    claimIdleMs: config.INGEST_CONSUMER_CLAIM_IDLE,
    maxDeliveries: config.INGEST_CONSUMER_MAX_DELIVERIES,
    salt: config.EXPOSURE_HASH_SALT,
    maxFutureSkewMs: config.INGEST_MAX_FUTURE_SKEW,
    retentionDays: config.INGEST_RETENTION_DAYS,
    logger,
    onDeadLetter: () => metrics.deadLetters.inc(),
  });
  const retention = new RetentionJob(
    partitions,
    config.INGEST_RETENTION_DAYS,
    config.INGEST_RETENTION_INTERVAL,
    logger,
    (n) => metrics.partitionsDropped.inc(n),
  );

  const startWorkers = () => {
    if (config.INGEST_OUTBOX_ENABLED) relay.start();
    if (config.INGEST_CONSUMER_ENABLED) consumer.start();
    if (config.INGEST_CONTROL_ENABLED) control.start();
    retention.start();
  };

  return {
    config,
    logger,
    pool,
    db,
    redis,
    metrics,
    health,
    auth,
    tenantGate,
    partitions,
    store,
    catalog,
    intake,
    relay,
    consumer,
    control,
    retention,
    streams,
    startWorkers,
    closers: [
      { name: 'exposure-consumer', close: () => consumer.stop() },
      { name: 'control-listener', close: () => control.stop() },
      { name: 'outbox-relay', close: () => relay.stop() },
      { name: 'retention', close: () => retention.stop() },
      { name: 'redis', close: () => redis.quit().catch(() => redis.disconnect()) },
      { name: 'redis-consumer', close: () => consumerRedis.quit().catch(() => consumerRedis.disconnect()) },
      { name: 'redis-control', close: () => controlRedis.quit().catch(() => controlRedis.disconnect()) },
      { name: 'postgres', close: () => db.destroy() },
    ],
  };
}

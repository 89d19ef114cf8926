import type { Kysely } from 'kysely';
import type pg from 'pg';
import { CONTROL_STREAM } from '@recsys/contracts-admin';
import { EVENTS_STREAM, IngestEvent } from '@recsys/contracts-ingest';
import { MANIFESTS_STREAM } from '@recsys/contracts-publisher';
import { EXPOSURES_STREAM } from '@recsys/contracts-serving';
import {
  authSettingsFromConfig,
  createAuth,
  remoteKeyVerifier,
  type Auth,
  type CachingKeyVerifier,
} from '@recsys/platform/auth';
import { isClusterWorker } from '@recsys/platform/cluster';
import { createDb, createPool, pingDb } from '@recsys/platform/db';
import { HealthRegistry } from '@recsys/platform/health';
import { createInternalClient } from '@recsys/platform/internal-http';
import type { Logger } from '@recsys/platform/logger';
import { type Closer } from '@recsys/platform/lifecycle';
import { createMetrics, prom, type HttpMetrics } from '@recsys/platform/metrics';
import { createRedis, pingRedis, prefixed, type Redis } from '@recsys/platform/redis';
import { StreamConsumer, StreamProducer } from '@recsys/platform/streams';
import { ExposureEmitter } from './adapters/exposures.js';
import { TenantRateLimiter } from './adapters/rate-limit.js';
import { StreamTailer } from './adapters/stream-tail.js';
import { TenantRuntimeCache } from './adapters/tenant-runtime.js';
import { UserStateStore } from './adapters/user-state.js';
import type { Config } from './config.js';
import { handleCatalog, handleControl, handleManifest, handleUserEvents } from './consumers.js';
import type { ServingDatabase } from './db/schema.js';
import { Backpressure } from './domain/backpressure.js';
import { createServingMetrics, type ServingMetrics } from './metrics.js';
import { ServingService } from './serve.js';
import { ArtifactSignalSource, DbSignalSource, type SignalSource } from './signals/sources.js';
import { SignalStore } from './signals/store.js';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

/** How long shutdown waits for the stream consumers to finish their current read and batch. */
const CONSUMER_STOP_TIMEOUT_MS = 3000;

/** The composition root: the only place adapters are constructed. Handlers receive these, never globals. */
export interface Deps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  db: Kysely<ServingDatabase>;
  redis: Redis;
  metrics: HttpMetrics;
  serving: ServingMetrics;
  health: HealthRegistry;
  auth: Auth;
  keyVerifier: CachingKeyVerifier;
  signals: SignalStore;
  runtime: TenantRuntimeCache;
  userState: UserStateStore;
  exposures: ExposureEmitter | undefined;
  rateLimiter: TenantRateLimiter | undefined;
  service: ServingService;
  /** Loads the live snapshots and starts the stream consumers and refresh timer (main.ts and tests). */
  start: () => Promise<void>;
  /** Closed in this order on shutdown. */
  closers: Closer[];
}

export function createDeps(config: Config, logger: Logger): Deps {
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: config.SERVING_DB_SCHEMA,
    max: config.SERVING_DB_POOL_MAX,
    applicationName: 'recsys-serving',
    statementTimeoutMs: 30_000,
  });
  const db = createDb<ServingDatabase>(pool);
  // Commands issued while one batch of sockets is read (every request's user-state read, rate-limit take and
  // exposure flush) go out in one write: a syscall per request was the largest item after ranking.
  const redis = createRedis(config.REDIS_URL, { enableAutoPipelining: true });
  const metrics = createMetrics(SERVICE_NAME);
  const serving = createServingMetrics(metrics);
  const health = new HealthRegistry(SERVICE_NAME, SERVICE_VERSION);
  const prefix = config.REDIS_KEY_PREFIX;

  const admin = createInternalClient(config.ADMIN_URL, config.SERVICE_TOKEN, config.SERVING_ADMIN_TIMEOUT);
  const keyVerifier = remoteKeyVerifier(admin, { ttlMs: config.API_KEY_CACHE_TTL });
  const auth = createAuth(authSettingsFromConfig(config), {
    verifyApiKey: keyVerifier,
    serviceToken: config.SERVICE_TOKEN,
  });

  let artifactSource: ArtifactSignalSource | undefined;
  let source: SignalSource;
  if (config.RECSYS_ARTIFACT_MODE_ENABLED) {
    artifactSource = new ArtifactSignalSource({
      template: config.RECSYS_ARTIFACT_MANIFEST_TEMPLATE,
      stagedTemplate: config.RECSYS_ARTIFACT_STAGED_MANIFEST_TEMPLATE,
      fileRoot: config.RECSYS_ARTIFACT_FILE_ROOT,
      maxBytes: config.RECSYS_ARTIFACT_MAX_BYTES,
      s3: {
        endpoint: config.RECSYS_ARTIFACT_S3_ENDPOINT,
        region: config.RECSYS_ARTIFACT_S3_REGION,
        accessKey: config.RECSYS_ARTIFACT_S3_ACCESS_KEY,
        secretKey: config.RECSYS_ARTIFACT_S3_SECRET_KEY,
        useSsl: config.RECSYS_ARTIFACT_S3_USE_SSL,
      },
    });
    source = artifactSource;
  } else {
    source = new DbSignalSource(db);
  }
  const signals = new SignalStore(source, serving, logger, {
    ttlMs: config.RECSYS_ARTIFACT_MODE_ENABLED ? config.RECSYS_ARTIFACT_MANIFEST_TTL : 0,
    lazy: config.RECSYS_ARTIFACT_MODE_ENABLED,
    userProfileBytes: config.SERVING_USER_PROFILE_BYTES,
  });
  registerSnapshotGauges(metrics, signals);

  const runtime = new TenantRuntimeCache(
    admin,
    serving,
    logger,
    config.RECSYS_CONFIG_CACHE_TTL,
    config.SERVING_ADMIN_TIMEOUT,
  );
  const userState = new UserStateStore(
    redis,
    prefix,
    config.EXPOSURE_HASH_SALT,
    config.SERVING_USER_HISTORY_MAX,
    config.SERVING_USER_HISTORY_TTL,
  );
  const exposures = config.SERVING_EXPOSURES_ENABLED
    ? new ExposureEmitter(
        new StreamProducer(redis, prefixed(prefix, EXPOSURES_STREAM), config.SERVING_EXPOSURE_STREAM_MAXLEN),
        serving,
        logger,
        config.SERVING_EXPOSURE_BUFFER_MAX,
      )
    : undefined;
  const rateLimiter = config.TENANT_RATE_LIMIT_ENABLED
    ? new TenantRateLimiter(redis, prefix, {
        capacity: config.TENANT_RATE_LIMIT_CAPACITY,
        refillPerSecond: config.TENANT_RATE_LIMIT_REFILL_RATE,
        retryAfterMs: config.TENANT_RATE_LIMIT_RETRY_AFTER,
        failOpen: config.TENANT_RATE_LIMIT_FAIL_OPEN,
      })
    : undefined;
  const backpressure = new Backpressure(
    config.RECSYS_BACKPRESSURE_MAX_INFLIGHT,
    config.RECSYS_BACKPRESSURE_MAX_QUEUE,
    config.RECSYS_BACKPRESSURE_WAIT_TIMEOUT,
  );
  const service = new ServingService({
    config,
    logger,
    metrics: serving,
    signals,
    runtime,
    userState,
    exposures,
    backpressure,
  });

  // Postgres and Redis are optional for readiness: serving answers from memory while they are down
  // (degraded). Readiness fails only until the first signal load completes.
  health.register({ name: 'postgres', required: false, probe: () => pingDb(db) });
  health.register({ name: 'redis', required: false, probe: () => pingRedis(redis) });
  health.register({ name: 'signals', required: true, probe: async () => signals.health() });
  health.register({ name: 'admin', required: false, probe: async () => runtime.health() });
  health.register({
    name: 'exposures',
    required: false,
    probe: async () =>
      exposures && exposures.buffered > 1000
        ? { status: 'degraded', detail: `${exposures.buffered} exposures buffered` }
        : 'ok',
  });

  const consumerDeps = { signals, runtime, keyVerifier, userState, metrics: serving, logger };
  let tailer: StreamTailer | undefined;
  let userEvents: StreamConsumer<any> | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  const extraConnections: Redis[] = [];

  const start = async () => {
    if (!config.RECSYS_ARTIFACT_MODE_ENABLED) {
      await signals.loadAllLive().catch((error: unknown) => {
        logger.error({ err: error }, 'initial signal load failed; retrying on the refresh interval');
      });
      refreshTimer = setInterval(() => {
        const work = signals.initialLoadDone ? signals.refreshChanged() : signals.loadAllLive();
        work.catch((error: unknown) => logger.warn({ err: error }, 'signal refresh failed'));
      }, config.SERVING_SIGNAL_REFRESH_INTERVAL);
      refreshTimer.unref();
    } else {
      signals.initialLoadDone = true;
    }
    if (!config.SERVING_STREAMS_ENABLED) return;
    const tailConnection = createRedis(config.REDIS_URL, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    extraConnections.push(tailConnection);
    const catalog = handleCatalog(consumerDeps);
    tailer = new StreamTailer(
      tailConnection,
      [
        { stream: prefixed(prefix, CONTROL_STREAM), handle: handleControl(consumerDeps) },
        { stream: prefixed(prefix, MANIFESTS_STREAM), handle: handleManifest(consumerDeps) },
        { stream: prefixed(prefix, EVENTS_STREAM), handle: catalog },
      ],
      logger,
    );
    await tailer.start();
    const groupConnection = createRedis(config.REDIS_URL, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    extraConnections.push(groupConnection);
    userEvents = new StreamConsumer(groupConnection, {
      stream: prefixed(prefix, EVENTS_STREAM),
      group: 'serving',
      // Workers of one host are consumers of their own in the replica's group.
      consumer: isClusterWorker()
        ? `${config.SERVING_REPLICA_NAME}-w${config.SERVING_WORKER_SLOT}`
        : config.SERVING_REPLICA_NAME,
      schema: IngestEvent,
      handleBatch: handleUserEvents(consumerDeps),
      deadLetterStream: prefixed(prefix, `${EVENTS_STREAM}.dlq`),
      startFrom: '$',
      blockMs: 1000,
      logger,
      registry: metrics.registry,
    });
    // Create the group before returning so no event published after start() is missed.
    await userEvents
      .ensureGroup()
      .catch((error: unknown) => logger.warn({ err: error }, 'events group not created yet'));
    userEvents.start();
  };

  return {
    config,
    logger,
    pool,
    db,
    redis,
    metrics,
    serving,
    health,
    auth,
    keyVerifier,
    signals,
    runtime,
    userState,
    exposures,
    rateLimiter,
    service,
    start,
    closers: [
      {
        name: 'consumers',
        close: async () => {
          if (refreshTimer) clearInterval(refreshTimer);
          // A consumer finishes its current read (BLOCK 1 s) and batch; while Redis is unreachable that read
          // waits for a reconnect that never comes, so stop waiting after a bound and cut the connections.
          let bound: NodeJS.Timeout | undefined;
          await Promise.race([
            Promise.all([tailer?.stop(), userEvents?.stop()]),
            new Promise((resolve) => (bound = setTimeout(resolve, CONSUMER_STOP_TIMEOUT_MS))),
          ]);
          clearTimeout(bound);
          for (const connection of extraConnections) connection.disconnect();
        },
      },
      { name: 'exposures', close: () => exposures?.close() },
      { name: 'artifacts', close: () => artifactSource?.close() },
      { name: 'redis', close: () => redis.quit().catch(() => redis.disconnect()) },
      { name: 'postgres', close: () => (pool.ended ? undefined : db.destroy()) },
    ],
  };
}

/** Snapshot and manifest ages are computed at scrape time from the live snapshots. */
function registerSnapshotGauges(metrics: HttpMetrics, signals: SignalStore): void {
  new prom.Gauge({
    name: 'recsys_artifact_manifest_age_seconds',
    aggregator: 'max',
    help: 'Seconds since the live manifest (signal version) of each key was published.',
    labelNames: ['tenant', 'surface', 'segment'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const { key, loaded } of signals.liveSnapshots()) {
        this.set(
          { tenant: key.tenantId, surface: key.surface, segment: key.segment },
          Math.max(0, (Date.now() - loaded.publishedAt) / 1000),
        );
      }
    },
  });
  new prom.Gauge({
    name: 'recsys_signal_snapshot_age_seconds',
    aggregator: 'max',
    help: 'Seconds since each live snapshot was loaded into this replica.',
    labelNames: ['tenant', 'surface', 'segment'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const { key, loaded } of signals.liveSnapshots()) {
        this.set(
          { tenant: key.tenantId, surface: key.surface, segment: key.segment },
          Math.max(0, (Date.now() - loaded.loadedAt) / 1000),
        );
      }
    },
  });
  new prom.Gauge({
    name: 'recsys_artifact_manifest_artifacts',
    aggregator: 'max',
    help: 'Artifacts listed by each live manifest.',
    labelNames: ['tenant', 'surface', 'segment'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const { key, loaded } of signals.liveSnapshots()) {
        this.set({ tenant: key.tenantId, surface: key.surface, segment: key.segment }, loaded.artifactCount);
      }
    },
  });
}

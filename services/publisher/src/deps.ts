import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { MANIFESTS_STREAM, type ManifestEvent } from '@recsys/contracts-publisher';
import type { Config } from './config.js';
import { createDb, createPool, pingDb } from '@recsys/platform/db';
import { HealthRegistry } from '@recsys/platform/health';
import type { Logger } from '@recsys/platform/logger';
import { type Closer } from '@recsys/platform/lifecycle';
import { createMetrics, prom, type HttpMetrics } from '@recsys/platform/metrics';
import { createRedis, pingRedis, prefixed, type Redis } from '@recsys/platform/redis';
import { StreamProducer } from '@recsys/platform/streams';
import { ServingSignalsClient } from './adapters/serving-client.js';
import type { PublisherDatabase } from './db/schema.js';
import type { ObjectStore } from './domain/publish/store.js';
import type { S3Store } from './adapters/s3-store.js';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

export interface PublisherMetrics {
  /** Unix time of the last successful publish per (tenant, surface): the freshness gauge. */
  lastSuccess: prom.Gauge<'tenant' | 'surface'>;
  stageDuration: prom.Histogram<'stage'>;
  runs: prom.Counter<'command' | 'outcome'>;
}

/** The composition root: the only place adapters are constructed. Handlers receive these, never globals. */
export interface Deps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  db: Kysely<PublisherDatabase>;
  redis: Redis;
  metrics: HttpMetrics;
  publisherMetrics: PublisherMetrics;
  health: HealthRegistry;
  serving: ServingSignalsClient;
  emit: (event: ManifestEvent) => Promise<void>;
  /** Object store for a `s3://` or `file://` URI (defaults to PUBLISHER_STORE); cached per URI. */
  openStore: (uri?: string) => Promise<ObjectStore>;
  /** Closed in this order on shutdown. */
  closers: Closer[];
}

export function createPublisherMetrics(metrics: HttpMetrics): PublisherMetrics {
  return {
    lastSuccess: new prom.Gauge({
      name: 'recsys_publisher_last_success_timestamp_seconds',
      help: 'Unix time of the last successful publish of a tenant/surface (freshness).',
      labelNames: ['tenant', 'surface'],
      registers: [metrics.registry],
    }),
    stageDuration: new prom.Histogram({
      name: 'recsys_publisher_stage_duration_seconds',
      help: 'Duration of pipeline stages (read, build, validate, stage, evaluate, publish).',
      labelNames: ['stage'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900],
      registers: [metrics.registry],
    }),
    runs: new prom.Counter({
      name: 'recsys_publisher_runs_total',
      help: 'Pipeline runs by command and outcome (published, refused, invalid, failed…).',
      labelNames: ['command', 'outcome'],
      registers: [metrics.registry],
    }),
  };
}

export async function openStore(config: Config, uri: string, logger?: Logger): Promise<ObjectStore> {
  // Adapters load on first use so the service (and --help) start without the S3 SDK.
  if (uri.startsWith('file://')) {
    const { FileStore } = await import('./adapters/file-store.js');
    return new FileStore(fileURLToPath(uri));
  }
  if (uri.startsWith('s3://')) {
    const { parseS3Uri, S3Store } = await import('./adapters/s3-store.js');
    const { bucket, prefix } = parseS3Uri(uri);
    const store = new S3Store({
      bucket,
      prefix,
      region: config.PUBLISHER_S3_REGION,
      forcePathStyle: config.PUBLISHER_S3_FORCE_PATH_STYLE,
      ...(config.PUBLISHER_S3_ENDPOINT ? { endpoint: config.PUBLISHER_S3_ENDPOINT } : {}),
      ...(config.PUBLISHER_S3_ACCESS_KEY_ID ? { accessKeyId: config.PUBLISHER_S3_ACCESS_KEY_ID } : {}),
      ...(config.PUBLISHER_S3_SECRET_ACCESS_KEY
        ? { secretAccessKey: config.PUBLISHER_S3_SECRET_ACCESS_KEY }
        : {}),
    });
    const setting = config.PUBLISHER_S3_CONDITIONAL_WRITES;
    store.conditionalWrites = setting === 'auto' ? await store.probeConditionalWrites() : setting === 'true';
    logger?.debug({ store: uri, conditional_writes: store.conditionalWrites }, 'object store opened');
    return store;
  }
  throw new Error(`unsupported store ${uri}: use s3://bucket[/prefix] or file:///dir`);
}

export function createDeps(config: Config, logger: Logger): Deps {
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: config.PUBLISHER_DB_SCHEMA,
    max: config.PUBLISHER_DB_POOL_MAX,
    applicationName: 'recsys-publisher',
  });
  const db = createDb<PublisherDatabase>(pool);
  const redis = createRedis(config.REDIS_URL);
  const metrics = createMetrics(SERVICE_NAME);
  const health = new HealthRegistry(SERVICE_NAME, SERVICE_VERSION);
  health.register({ name: 'postgres', required: true, probe: () => pingDb(db) });
  health.register({ name: 'redis', required: true, probe: () => pingRedis(redis) });
  const producer = new StreamProducer(
    redis,
    prefixed(config.REDIS_KEY_PREFIX, MANIFESTS_STREAM),
    config.PUBLISHER_STREAM_MAXLEN,
  );
  const stores = new Map<string, Promise<ObjectStore>>();
  const closers: Closer[] = [
    {
      name: 'stores',
      close: async () => {
        for (const store of stores.values()) {
          const s = (await store.catch(() => null)) as Partial<S3Store> | null;
          s?.destroy?.();
        }
      },
    },
    { name: 'redis', close: () => redis.quit().catch(() => redis.disconnect()) },
    { name: 'postgres', close: () => db.destroy() },
  ];
  return {
    config,
    logger,
    pool,
    db,
    redis,
    metrics,
    publisherMetrics: createPublisherMetrics(metrics),
    health,
    serving: new ServingSignalsClient(config.SERVING_URL, config.SERVICE_TOKEN),
    emit: async (event) => {
      // A short-lived CLI may get here before the connection is up (commands fail fast while offline).
      if (redis.status !== 'ready') await waitReady(redis, 5000);
      await producer.publish(event.type, event);
    },
    openStore: (uri = config.PUBLISHER_STORE) => {
      let store = stores.get(uri);
      if (!store) {
        store = openStore(config, uri, logger);
        store.catch(() => stores.delete(uri));
        stores.set(uri, store);
      }
      return store;
    },
    closers,
  };
}

function waitReady(redis: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs}ms (${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

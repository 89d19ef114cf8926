import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Config } from './config.js';
import { CONTROL_STREAM } from '@recsys/contracts-admin';
import { authSettingsFromConfig, createAuth, type ApiKeyVerifier, type Auth } from '@recsys/platform/auth';
import { createDb, createPool, pingDb } from '@recsys/platform/db';
import { HealthRegistry } from '@recsys/platform/health';
import type { Logger } from '@recsys/platform/logger';
import { type Closer } from '@recsys/platform/lifecycle';
import { createMetrics, prom, type HttpMetrics } from '@recsys/platform/metrics';
import { createRedis, pingRedis, prefixed, type Redis } from '@recsys/platform/redis';
import { StreamProducer } from '@recsys/platform/streams';
import type { AdminDatabase } from './db/schema.js';
import { ControlPublisher } from './domain/control.js';
import { verifyKey, type KeyOptions } from './domain/keys.js';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

/** The composition root: the only place adapters are constructed. Handlers receive these, never globals. */
export interface Deps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  db: Kysely<AdminDatabase>;
  redis: Redis;
  metrics: HttpMetrics;
  health: HealthRegistry;
  /** Publishes on the control stream (`recsys.control.v1`, prefixed). */
  control: ControlPublisher;
  /** Admin verifies API keys against its own table (no HTTP round trip). */
  verifyApiKey: ApiKeyVerifier;
  keyOptions: KeyOptions;
  auth: Auth;
  /** Closed in this order on shutdown. */
  closers: Closer[];
}

/** Throws AuthConfigError on unsafe auth settings (dev auth in production, disallowed JWKS host, …). */
export function createDeps(config: Config, logger: Logger): Deps {
  const settings = authSettingsFromConfig(config);
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: config.ADMIN_DB_SCHEMA,
    max: config.ADMIN_DB_POOL_MAX,
    applicationName: 'recsys-admin',
  });
  const db = createDb<AdminDatabase>(pool);
  const verifyApiKey: ApiKeyVerifier = (apiKey) =>
    verifyKey(db, config.API_KEY_HASH_SECRET, apiKey, (error) =>
      logger.warn({ err: error }, 'api key last_used_at not updated'),
    );
  let auth: Auth;
  try {
    auth = createAuth(settings, { verifyApiKey, serviceToken: config.SERVICE_TOKEN });
  } catch (error) {
    void db.destroy();
    throw error;
  }
  const redis = createRedis(config.REDIS_URL);
  const metrics = createMetrics(SERVICE_NAME);
  const publishFailures = new prom.Counter({
    name: 'admin_control_events_failed_total',
    help: 'Control events that could not be published (the write itself succeeded).',
    labelNames: ['type'],
    registers: [metrics.registry],
  });
  const control = new ControlPublisher(
    new StreamProducer(
      redis,
      prefixed(config.REDIS_KEY_PREFIX, CONTROL_STREAM),
      config.ADMIN_CONTROL_STREAM_MAXLEN,
    ),
    logger,
    (type) => publishFailures.inc({ type }),
  );
  const health = new HealthRegistry(SERVICE_NAME, SERVICE_VERSION);
  health.register({ name: 'postgres', required: true, probe: () => pingDb(db) });
  health.register({ name: 'redis', required: true, probe: () => pingRedis(redis) });
  return {
    config,
    logger,
    pool,
    db,
    redis,
    metrics,
    health,
    control,
    verifyApiKey,
    keyOptions: { hashSecret: config.API_KEY_HASH_SECRET, crossTenantRole: settings.roles.crossTenant },
    auth,
    closers: [
      { name: 'redis', close: () => redis.quit().catch(() => redis.disconnect()) },
      { name: 'postgres', close: () => db.destroy() },
    ],
  };
}

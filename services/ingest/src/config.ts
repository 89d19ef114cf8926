import { z } from 'zod';
import { authEnv } from '@recsys/platform/auth';
import { commonEnv, parseEnv, zBool, zDuration, zInt, zPort } from '@recsys/platform/config';

/** Every setting ingest reads, parsed once at boot. Nothing else in the service reads process.env. */
export const configSchema = z.object({
  ...commonEnv,
  ...authEnv,
  /** HTTP port of the ingest API. */
  INGEST_PORT: zPort(8002),
  /** Bind address. */
  INGEST_HOST: z.string().default('0.0.0.0'),
  /** Postgres schema owned by ingest (tables and migration bookkeeping). */
  INGEST_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
    .default('ingest'),
  /** Connection pool size. */
  INGEST_DB_POOL_MAX: zPort(10),
  /** Base URL of admin (API key verification, tenant runtime). */
  ADMIN_URL: z.string().default('http://127.0.0.1:8001'),
  /** Secret for HMAC-SHA256 of user, anonymous and session ids before they are stored; empty = store raw. */
  EXPOSURE_HASH_SALT: z.string().optional(),
  /** Largest number of events in one JSON batch (`POST /v1/events/{exposures,outcomes,assignments}`). */
  INGEST_MAX_BATCH_SIZE: zInt(1000, 1, 10_000),
  /** Events whose occurred_at lies further than this in the future are rejected. */
  INGEST_MAX_FUTURE_SKEW: zDuration('5m'),
  /** Days of events kept; older day partitions are dropped and older events rejected. 0 keeps everything. */
  INGEST_RETENTION_DAYS: zInt(400, 0),
  /** How often the retention job runs in the service (0 disables the in-process job). */
  INGEST_RETENTION_INTERVAL: zDuration('1h'),
  /** Lines per insert chunk of the bulk NDJSON endpoint. */
  INGEST_BULK_CHUNK_SIZE: zInt(20_000, 1, 50_000),
  /** Bytes of input after which a bulk chunk is closed before it has INGEST_BULK_CHUNK_SIZE lines. */
  INGEST_BULK_CHUNK_BYTES: zInt(16 * 1024 * 1024, 1024),
  /** Longest accepted line of the bulk endpoint, in bytes. */
  INGEST_BULK_MAX_LINE_BYTES: zInt(1024 * 1024, 1024),
  /** Consume serving's exposure stream in this process. */
  INGEST_CONSUMER_ENABLED: zBool(true),
  /** Consumer name within the `ingest` group (default: hostname and pid). */
  INGEST_CONSUMER_NAME: z.string().optional(),
  /** Entries per XREADGROUP. */
  INGEST_CONSUMER_BATCH_SIZE: zInt(500, 1, 10_000),
  /** Pending entries idle this long are re-claimed from dead consumers (or retried). */
  INGEST_CONSUMER_CLAIM_IDLE: zDuration('30s'),
  /** Deliveries after which an exposure entry that keeps failing is dead-lettered. */
  INGEST_CONSUMER_MAX_DELIVERIES: zInt(5, 1),
  /** XREADGROUP block time. */
  INGEST_CONSUMER_BLOCK: zDuration('1s'),
  /** Run the outbox relay (publishes stored events on recsys.events.v1) in this process. */
  INGEST_OUTBOX_ENABLED: zBool(true),
  /** Poll interval of the outbox relay when idle. */
  INGEST_OUTBOX_POLL_INTERVAL: zDuration('500ms'),
  /** Outbox rows published per relay round (one row holds the events of one committed write). */
  INGEST_OUTBOX_BATCH_SIZE: zInt(20, 1, 10_000),
  /** Event text published per relay round, in bytes: bounds a round's memory when rows are bulk chunks. */
  INGEST_OUTBOX_BATCH_BYTES: zInt(8 * 1024 * 1024, 64 * 1024),
  /** Approximate cap on the length of recsys.events.v1 (XADD MAXLEN ~). */
  INGEST_EVENTS_STREAM_MAXLEN: zInt(1_000_000, 1000),
  /** Check that the tenant exists through admin for credentials that do not already prove it (JWT, service). */
  INGEST_TENANT_CHECK: zBool(true),
  /** How long a tenant existence answer from admin is cached. */
  INGEST_TENANT_CACHE_TTL: zDuration('60s'),
  /** Follow admin's control stream (key revocations, disabled tenants) to drop cached answers at once. */
  INGEST_CONTROL_ENABLED: zBool(true),
});

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseEnv('ingest', configSchema, env);
}

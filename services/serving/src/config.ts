import { hostname } from 'node:os';
import { z } from 'zod';
import { authEnv } from '@recsys/platform/auth';
import { commonEnv, parseEnv, zBool, zDuration, zInt, zNumber, zPort } from '@recsys/platform/config';

/** Every setting serving reads, parsed once at boot. Nothing else in the service reads process.env. */
export const configSchema = z
  .object({
    ...commonEnv,
    ...authEnv,
    /** HTTP port of the serving API. */
    SERVING_PORT: zPort(8000),
    /** Bind address. */
    SERVING_HOST: z.string().default('0.0.0.0'),
    /** Postgres schema owned by serving (tables and migration bookkeeping). */
    SERVING_DB_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
      .default('serving'),
    /** Connection pool size. */
    SERVING_DB_POOL_MAX: zPort(10),
    /** Admin base URL (runtime config/rules, API key verification). */
    ADMIN_URL: z.string().default('http://127.0.0.1:8001'),
    /** Timeout of calls to admin. */
    SERVING_ADMIN_TIMEOUT: zDuration('2s'),
    /** Name of this replica in per-replica consumer groups (catalog, control, manifests). */
    SERVING_REPLICA_NAME: z.string().default(hostname()),
    /** Run the stream consumers (events, control, manifests). */
    SERVING_STREAMS_ENABLED: zBool(true),
    /**
     * Processes sharing the port on this host (node:cluster): 1 (one process, the default, for one replica per
     * container), a count, or `auto` (one per available core). Each worker holds its own copy of the snapshots.
     */
    SERVING_WORKERS: z
      .union([z.literal('auto'), z.coerce.number().int().min(1).max(256)], {
        error: 'must be a positive integer or auto',
      })
      .default(1),
    /** Set by the primary for each worker it forks (1..SERVING_WORKERS); never set by hand. */
    SERVING_WORKER_SLOT: zInt(0),

    /** Algorithm label reported in meta.algo_version (suffixed `:<algo>` when the tenant config sets one). */
    RECSYS_ALGO_VERSION: z.string().default('recsys-algo@local'),
    /** explain != none allows at most this many items (422 RECSYS_EXPLAIN_TOO_LARGE above). */
    RECSYS_EXPLAIN_MAX_ITEMS: zInt(50, 1, 200),
    /** explain=full and include_trace need the admin role. */
    RECSYS_EXPLAIN_REQUIRE_ADMIN: zBool(true),
    /** How long a tenant's runtime (status, config, rules) is served from cache before revalidation. */
    RECSYS_CONFIG_CACHE_TTL: zDuration('5m'),

    /** Artifact/manifest mode instead of DB-only mode. */
    RECSYS_ARTIFACT_MODE_ENABLED: zBool(false),
    /** Manifest URI template with {tenant}, {surface} and optionally {segment}; s3:// or file://. */
    RECSYS_ARTIFACT_MANIFEST_TEMPLATE: z.string().default(''),
    /** Staged-manifest template for previews ({version} too); derived from the current template when empty. */
    RECSYS_ARTIFACT_STAGED_MANIFEST_TEMPLATE: z.string().default(''),
    /** Root directory file:// URIs are confined to. */
    RECSYS_ARTIFACT_FILE_ROOT: z.string().default(''),
    /** Re-read a manifest after this long (0 = only on events and invalidation). */
    RECSYS_ARTIFACT_MANIFEST_TTL: zDuration('1m'),
    /** Largest manifest or artifact accepted. */
    RECSYS_ARTIFACT_MAX_BYTES: zInt(256 * 1024 * 1024, 1),
    RECSYS_ARTIFACT_S3_ENDPOINT: z.string().default(''),
    RECSYS_ARTIFACT_S3_ACCESS_KEY: z.string().default(''),
    RECSYS_ARTIFACT_S3_SECRET_KEY: z.string().default(''),
    RECSYS_ARTIFACT_S3_REGION: z.string().default('us-east-1'),
    RECSYS_ARTIFACT_S3_USE_SSL: zBool(true),
    /** DB-only mode: how often the live versions are re-checked (besides activation and manifest events). */
    SERVING_SIGNAL_REFRESH_INTERVAL: zDuration('30s'),

    RECSYS_BACKPRESSURE_MAX_INFLIGHT: zInt(0),
    RECSYS_BACKPRESSURE_MAX_QUEUE: zInt(0),
    RECSYS_BACKPRESSURE_WAIT_TIMEOUT: zDuration('200ms'),
    RECSYS_BACKPRESSURE_RETRY_AFTER: zDuration('1s'),

    TENANT_RATE_LIMIT_ENABLED: zBool(true),
    TENANT_RATE_LIMIT_CAPACITY: zNumber(60, 1),
    TENANT_RATE_LIMIT_REFILL_RATE: zNumber(30, 0),
    TENANT_RATE_LIMIT_RETRY_AFTER: zDuration('1s'),
    /** When Redis is unreachable: true = allow everything, false = fall back to a per-replica bucket. */
    TENANT_RATE_LIMIT_FAIL_OPEN: zBool(false),

    /** Secret for hashing user ids before they key snapshot and Redis lookups (same salt as ingest). */
    EXPOSURE_HASH_SALT: z.string().optional(),
    /** Salt of experiment assignment hashing (defaults to EXPOSURE_HASH_SALT). */
    EXPERIMENT_ASSIGNMENT_SALT: z.string().optional(),
    EXPERIMENT_ASSIGNMENT_ENABLED: zBool(true),

    /** Recent interactions kept per user (and per anonymous / session id). */
    SERVING_USER_HISTORY_MAX: zInt(50, 1, 1000),
    /**
     * Bytes per snapshot for known users' precomputed neighbour sums (domain/ranking/profiles.ts); 0 builds
     * none and every request expands its seeds live.
     */
    SERVING_USER_PROFILE_BYTES: zInt(64 * 2 ** 20, 0),
    /** Expiry of a user's recent-interaction list after its last event. */
    SERVING_USER_HISTORY_TTL: zDuration('720h'),

    /** Emit exposures to recsys.exposures.v1. */
    SERVING_EXPOSURES_ENABLED: zBool(true),
    /** Exposures held in memory while Redis is unreachable; the oldest are dropped (and counted) beyond. */
    SERVING_EXPOSURE_BUFFER_MAX: zInt(10_000, 1),
    /** Approximate cap of the exposure stream (XADD MAXLEN ~). */
    SERVING_EXPOSURE_STREAM_MAXLEN: zInt(1_000_000, 1000),
  })
  .superRefine((c, ctx) => {
    if (c.RECSYS_ARTIFACT_MODE_ENABLED) {
      const t = c.RECSYS_ARTIFACT_MANIFEST_TEMPLATE;
      if (!t) {
        ctx.addIssue({
          code: 'custom',
          path: ['RECSYS_ARTIFACT_MANIFEST_TEMPLATE'],
          message: 'is required when RECSYS_ARTIFACT_MODE_ENABLED=true',
        });
      } else if (!t.startsWith('s3://') && !c.RECSYS_ARTIFACT_FILE_ROOT) {
        ctx.addIssue({
          code: 'custom',
          path: ['RECSYS_ARTIFACT_FILE_ROOT'],
          message: 'is required for a non-s3:// manifest template',
        });
      }
      if (
        c.ENV === 'production' &&
        t.startsWith('s3://') &&
        c.RECSYS_ARTIFACT_S3_ENDPOINT &&
        !c.RECSYS_ARTIFACT_S3_USE_SSL
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['RECSYS_ARTIFACT_S3_USE_SSL'],
          message: 'must be true in production',
        });
      }
    }
  });

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseEnv('serving', configSchema, env);
}

import { z } from 'zod';
import { commonEnv, parseEnv, zBool, zCsv, zDuration, zInt, zNumber, zPort } from '@recsys/platform/config';

/** Every setting publisher reads, parsed once at boot. Nothing else in the service reads process.env. */
export const configSchema = z.object({
  ...commonEnv,
  /** HTTP port of the publisher (scheduled mode: /healthz, /readyz, /metrics). */
  PUBLISHER_PORT: zPort(8003),
  /** Bind address. */
  PUBLISHER_HOST: z.string().default('0.0.0.0'),
  /** Postgres schema owned by publisher (tables and migration bookkeeping). */
  PUBLISHER_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
    .default('publisher'),
  /** Connection pool size. */
  PUBLISHER_DB_POOL_MAX: zPort(10),
  /** Ingest base URL (export reader). */
  INGEST_URL: z.string().default('http://127.0.0.1:8002'),
  /** Serving base URL (DB-mode signal push and evaluation previews). */
  SERVING_URL: z.string().default('http://127.0.0.1:8000'),
  /** Where artifacts go: `s3://bucket[/prefix]` or `file:///dir`. */
  PUBLISHER_STORE: z.string().default('s3://recsys-artifacts'),
  /** S3 endpoint for S3-compatible servers (MinIO, s3rver); empty for AWS. */
  PUBLISHER_S3_ENDPOINT: z.string().optional(),
  PUBLISHER_S3_REGION: z.string().default('us-east-1'),
  PUBLISHER_S3_ACCESS_KEY_ID: z.string().optional(),
  PUBLISHER_S3_SECRET_ACCESS_KEY: z.string().optional(),
  PUBLISHER_S3_FORCE_PATH_STYLE: zBool(true),
  /** `auto` probes whether the server enforces If-Match; `true`/`false` force it. */
  PUBLISHER_S3_CONDITIONAL_WRITES: z.enum(['auto', 'true', 'false']).default('auto'),
  /** `artifact` (object store + manifest pointer) or `db` (push to serving). */
  PUBLISHER_MODE: z.enum(['artifact', 'db']).default('artifact'),
  /** Default input of `run` and the scheduler: `export`, `jsonl:<path>` or `online-retail:<path>`. */
  PUBLISHER_INPUT: z.string().default('export'),
  /** Lines per export request (the reader pages with the cursor). */
  PUBLISHER_EXPORT_PAGE_SIZE: zInt(50_000, 1, 1_000_000),
  /** Retries of a failed export request, resumed from the last cursor. */
  PUBLISHER_EXPORT_RETRIES: zInt(5, 0, 100),
  /** Window length of `run` without --from/--days, and of each scheduled run. */
  PUBLISHER_WINDOW_DAYS: zNumber(30, 0.001),
  /** Half-life of the popularity decay (7 days was best on the Online Retail validation split). */
  PUBLISHER_HALF_LIFE_DAYS: zNumber(7, 0.001),
  /**
   * Half-life of each user's own history ("buy again"). Repeat purchases follow much slower cycles than
   * popularity: 180 days was best on the Online Retail validation split (train < 2011-10-09).
   */
  PUBLISHER_HISTORY_HALF_LIFE_DAYS: zNumber(180, 0.001),
  /** Neighbours kept per item (co-visitation, EASE, session). Hard cap 500. */
  PUBLISHER_TOP_N: zInt(50, 1, 500),
  /** Minimum co-visitation weight for a pair to be kept. */
  PUBLISHER_MIN_SUPPORT: zNumber(1, 0),
  /** EASE regularization λ (250 was best for the served blend on the Online Retail validation split). */
  PUBLISHER_EASE_LAMBDA: zNumber(250, 0.000001),
  /** Items modelled by EASE (the M most frequent); 0 disables the i2i artifact. */
  PUBLISHER_EASE_ITEMS: zInt(4000, 0, 20_000),
  /** Distinct items accepted in one run (more is an error, exit 5). */
  PUBLISHER_MAX_ITEMS: zInt(1_000_000, 1),
  /** Distinct users accepted in one run. */
  PUBLISHER_MAX_USERS: zInt(5_000_000, 1),
  /** Item pairs held for co-visitation. */
  PUBLISHER_MAX_PAIRS: zInt(50_000_000, 1),
  /** Co-visitation counter entries held exactly; above it each item keeps its strongest neighbours. */
  PUBLISHER_PAIR_BUDGET: zInt(32_000_000, 1_000),
  /** Items kept per user in the implicit (history) artifact. */
  PUBLISHER_MAX_ITEMS_PER_USER: zInt(100, 1, 10_000),
  /** Items kept in the popularity artifact. */
  PUBLISHER_MAX_POPULARITY_ITEMS: zInt(10_000, 1),
  /**
   * Memory budget of the read stage's counters; above it co-visitation and transition counters are cut down
   * to top-N neighbours per item, and a run that still does not fit stops (exit 5, max_memory).
   */
  PUBLISHER_COUNTER_MEMORY_MB: zInt(4096, 16),
  /** Memory budget for dense model matrices (EASE); a larger model is refused (exit 5). */
  PUBLISHER_MAX_MEMORY_MB: zInt(2048, 16),
  /** Largest serialized artifact accepted by validation. */
  PUBLISHER_MAX_ARTIFACT_BYTES: zInt(256 * 2 ** 20, 1024),
  /** A session idle this long is closed (baskets for co-visitation). */
  PUBLISHER_SESSION_GAP: zDuration('30m'),
  /** Baskets larger than this are not paired. */
  PUBLISHER_MAX_ITEMS_PER_SESSION: zInt(200, 2),
  /** Per-user co-visitation window and its weight. */
  PUBLISHER_USER_WINDOW: zDuration('168h'),
  PUBLISHER_USER_WINDOW_ITEMS: zInt(20, 0, 1000),
  PUBLISHER_USER_WINDOW_WEIGHT: zNumber(0.5, 0),
  /** Artifact kinds built (comma-separated). */
  PUBLISHER_KINDS: zCsv(['popularity', 'cooc', 'i2i', 'session_seq', 'implicit', 'content_sim', 'catalog']),
  /** Evaluation gate: held-out end of the window (0 disables the gate). */
  PUBLISHER_HOLDOUT: zDuration('24h'),
  /** Cut-off k of the gate metrics. */
  PUBLISHER_EVAL_K: zInt(20, 1, 200),
  /** Relative drop tolerated before a candidate is refused (0.02 = 2 %). */
  PUBLISHER_GATE_TOLERANCE: zNumber(0.02, 0),
  /** Metrics the gate compares. */
  PUBLISHER_GATE_METRICS: zCsv(['recall', 'ndcg']),
  /** Users evaluated at most (deterministic sample). */
  PUBLISHER_EVAL_MAX_USERS: zInt(2000, 1),
  /** Concurrent preview requests to serving. */
  PUBLISHER_EVAL_CONCURRENCY: zInt(8, 1, 256),
  /** Evaluator: `serving` (preview path, real ranking) or `local` (built-in scorer). */
  PUBLISHER_EVALUATOR: z.enum(['serving', 'local']).default('serving'),
  /** Scheduled mode: interval between runs (0 disables the scheduler). */
  PUBLISHER_SCHEDULE_INTERVAL: zDuration('0'),
  /** Scheduled mode: targets as `tenant:surface[:segment]`, comma-separated. */
  PUBLISHER_SCHEDULE_TARGETS: zCsv([]),
  /** Approximate cap on the manifests stream length. */
  PUBLISHER_STREAM_MAXLEN: zInt(10_000, 100),
});

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseEnv('publisher', configSchema, env);
}

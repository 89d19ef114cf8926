import { z } from 'zod';

/**
 * Env parsing shared by every service. Each service declares one zod object over process.env;
 * it is parsed once at boot, fails fast naming every bad variable, and is frozen.
 */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: { variable: string; message: string }[],
  ) {
    super(
      `${service}: invalid environment\n` + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export function parseEnv<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  // Treat empty strings as unset so `FOO=` falls back to the default, as shells and compose files expect.
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') cleaned[key] = value;
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(root)'),
        message: issue.message,
      })),
    );
  }
  return Object.freeze(result.data);
}

/** Keys whose values must never be logged. */
const SECRET_PATTERN = /(SECRET|PASSWORD|TOKEN|SALT|KEY|DATABASE_URL|REDIS_URL)/i;

/** A copy of a config safe to log: secrets masked, URLs stripped of credentials. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (SECRET_PATTERN.test(key)) {
      out[key] =
        typeof value === 'string' && /^[a-z]+:\/\//i.test(value) ? stripCredentials(value) : '[redacted]';
    } else out[key] = value;
  }
  return out;
}

function stripCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[redacted]';
  }
}

// ---- reusable field schemas ------------------------------------------------------------------------------

export const zPort = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be an integer')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(fallback);

export const zBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);

export const zInt = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(min, `must be >= ${min}`)
    .max(max, `must be <= ${max}`)
    .default(fallback);

export const zNumber = (fallback: number, min = -Infinity) =>
  z.coerce.number({ error: 'must be a number' }).min(min, `must be >= ${min}`).default(fallback);

export const zCsv = (fallback: string[] = []) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .default(fallback);

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Durations as Go-style strings (`200ms`, `5s`, `1m`) or bare milliseconds; parsed to milliseconds. */
export const zDuration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 5s or 1m' });
        return z.NEVER;
      }
      return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!);
    });

export const zUrl = () => z.url({ error: 'must be a URL' });

export const zLogLevel = () =>
  z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Settings every service shares; each service spreads these into its own schema. */
export const commonEnv = {
  ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: zLogLevel(),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key and stream name: lets tests and co-hosted stacks share one Redis. */
  REDIS_KEY_PREFIX: z.string().default(''),
  MIGRATE_ON_START: zBool(false),
  SHUTDOWN_TIMEOUT: zDuration('10s'),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).default('none'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  /** Shared secret the services present to each other on /internal/v1 endpoints. */
  SERVICE_TOKEN: z.string().min(16, 'must be at least 16 characters').default('dev-service-token-change-me'),
};

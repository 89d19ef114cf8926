import { z } from 'zod';
import { commonEnv, parseEnv, zInt, zPort } from '@recsys/platform/config';
import { authEnv } from '@recsys/platform/auth';

const DEV_HASH_SECRET = 'dev-api-key-hash-secret-change-me';

/** Every setting admin reads, parsed once at boot. Nothing else in the service reads process.env. */
export const configSchema = z
  .object({
    ...commonEnv,
    ...authEnv,
    /** HTTP port of the admin API. */
    ADMIN_PORT: zPort(8001),
    /** Bind address. */
    ADMIN_HOST: z.string().default('0.0.0.0'),
    /** Postgres schema owned by admin (tables and migration bookkeeping). */
    ADMIN_DB_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
      .default('admin'),
    /** Connection pool size. */
    ADMIN_DB_POOL_MAX: zPort(10),
    /** Server secret for HMAC-SHA256 of API keys (reference name). Must be set in production. */
    API_KEY_HASH_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_HASH_SECRET),
    /** Approximate maximum length of the control stream (XADD MAXLEN ~). */
    ADMIN_CONTROL_STREAM_MAXLEN: zInt(10_000, 100),
  })
  .superRefine((config, ctx) => {
    if (config.ENV === 'production' && config.API_KEY_HASH_SECRET === DEV_HASH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['API_KEY_HASH_SECRET'],
        message: 'must be set (not the development default) when ENV=production',
      });
    }
  });

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseEnv('admin', configSchema, env);
}

/** Settings of the `recsys` operator CLI (flags override these). */
export interface CliEnv {
  RECSYS_ADMIN_URL?: string;
  RECSYS_API_KEY?: string;
}

export function loadCliEnv(env: Record<string, string | undefined> = process.env): CliEnv {
  return {
    RECSYS_ADMIN_URL: env.RECSYS_ADMIN_URL || env.ADMIN_URL || undefined,
    RECSYS_API_KEY: env.RECSYS_API_KEY || undefined,
  };
}

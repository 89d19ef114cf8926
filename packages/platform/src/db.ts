import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import type { Logger } from './logger.js';

/**
 * Each service owns one Postgres schema. Its pool pins `search_path` to that schema, so tables and the
 * migration bookkeeping live there and unqualified names never reach another service's tables.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  return schema;
}

export interface PoolOptions {
  connectionString: string;
  schema: string;
  max?: number;
  applicationName?: string;
  statementTimeoutMs?: number;
}

export function createPool(options: PoolOptions): pg.Pool {
  const schema = assertSchemaName(options.schema);
  const settings = [`-c search_path=${schema},public`];
  if (options.statementTimeoutMs) settings.push(`-c statement_timeout=${options.statementTimeoutMs}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName,
    options: settings.join(' '),
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => undefined);
  // Neither may a checked-out one: pg-pool removes its idle listener while a client is lent out, and pg emits
  // 'error' on a client whose connection ends even when a query is running (the query gets the error too).
  // Without a listener that emit throws and takes the process down. The client is then unqueryable and the
  // pool discards it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function createDb<DB>(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

export async function ensureSchema(db: Kysely<any>, schema: string): Promise<void> {
  await sql`create schema if not exists ${sql.id(assertSchemaName(schema))}`.execute(db);
}

/**
 * Applies every pending migration of one service. Migrations are passed in as a name → module map
 * (sorted by name) instead of read from a folder, so the same code runs from sources, dist and tests.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  schema: string,
  migrations: Record<string, Migration>,
  logger?: Logger,
): Promise<MigrationResultSet> {
  await ensureSchema(db, schema);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const result = await migrator.migrateToLatest();
  for (const r of result.results ?? []) {
    logger?.info({ migration: r.migrationName, status: r.status, schema }, 'migration');
  }
  if (result.error) throw result.error;
  return result;
}

export async function pingDb(db: Kysely<any>): Promise<string> {
  await sql`select 1`.execute(db);
  return 'postgres reachable';
}

import { sql, type Kysely } from 'kysely';

/**
 * Signal versions bulk-loaded by the publisher (DB-only mode). One row per (tenant, surface, segment,
 * version); at most one is live; previously live versions stay as `retired` for history and rollback.
 * Each version's artifacts are stored verbatim (validated JSON text) in `signal_artifacts`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signal_versions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('surface', 'text', (c) => c.notNull())
    .addColumn('segment', 'text', (c) => c.notNull().defaultTo('default'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('staged', 'live', 'retired')`))
    .addColumn('manifest', 'jsonb', (c) => c.notNull())
    .addColumn('counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('activated_at', 'timestamptz')
    .addColumn('retired_at', 'timestamptz')
    .addUniqueConstraint('signal_versions_key', ['tenant_id', 'surface', 'segment', 'version'])
    .execute();
  await sql`create unique index signal_versions_one_live on signal_versions (tenant_id, surface, segment) where status = 'live'`.execute(
    db,
  );
  await db.schema
    .createTable('signal_artifacts')
    .addColumn('version_id', 'bigint', (c) =>
      c.notNull().references('signal_versions.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('signal_artifacts_pk', ['version_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signal_artifacts').execute();
  await db.schema.dropTable('signal_versions').execute();
}

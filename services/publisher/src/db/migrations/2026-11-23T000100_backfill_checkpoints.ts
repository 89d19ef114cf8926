import { sql, type Kysely } from 'kysely';

/** Last day a backfill completed, per (tenant, surface, segment, job): `backfill` resumes after it. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('backfill_checkpoints')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('surface', 'text', (c) => c.notNull())
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('last_day', 'date', (c) => c.notNull())
    .addColumn('last_version', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('backfill_checkpoints_pk', ['tenant_id', 'surface', 'segment', 'job'])
    .execute();
  await db.schema.alterTable('pipeline_runs').addColumn('version', 'text').execute();
  await db.schema.alterTable('pipeline_runs').addColumn('exit_code', 'integer').execute();
  await db.schema.alterTable('pipeline_runs').addColumn('result', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('backfill_checkpoints').execute();
  await db.schema
    .alterTable('pipeline_runs')
    .dropColumn('version')
    .dropColumn('exit_code')
    .dropColumn('result')
    .execute();
}

import { sql, type Kysely } from 'kysely';

/** Rejects UPDATE and DELETE: version tables and the audit log are append-only. */
async function appendOnly(db: Kysely<any>, table: string): Promise<void> {
  await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
    for each row execute function reject_mutation()`.execute(db);
}

async function documentTables(db: Kysely<any>, versions: string, current: string): Promise<void> {
  await db.schema
    .createTable(versions)
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint(`${versions}_tenant_etag`, ['tenant_id', 'etag'])
    .execute();
  await db.schema
    .createIndex(`${versions}_tenant_created`)
    .on(versions)
    .columns(['tenant_id', 'created_at desc'])
    .execute();
  await appendOnly(db, versions);
  await db.schema
    .createTable(current)
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('version_id', 'uuid', (c) => c.notNull().references(`${versions}.id`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function reject_mutation() returns trigger language plpgsql as $$
    begin raise exception 'Table % is append-only', tg_table_name; end $$`.execute(db);

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('active')
        .check(sql`status in ('active', 'disabled')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await documentTables(db, 'config_versions', 'config_current');
  await documentTables(db, 'rules_versions', 'rules_current');

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_prefix', 'text', (c) => c.notNull().unique())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('roles', sql`text[]`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('replaced_by', 'uuid')
    .execute();
  await db.schema
    .createIndex('api_keys_tenant')
    .on('api_keys')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) =>
      c.notNull().defaultTo(sql`date_trunc('milliseconds', clock_timestamp())`),
    )
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('actor_sub', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('before_state', 'jsonb')
    .addColumn('after_state', 'jsonb')
    .addColumn('extra', 'jsonb')
    .execute();
  await db.schema
    .createIndex('audit_log_tenant_time')
    .on('audit_log')
    .columns(['tenant_id', 'occurred_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('audit_log_action_time')
    .on('audit_log')
    .columns(['action', 'occurred_at desc'])
    .execute();
  await db.schema.createIndex('audit_log_request').on('audit_log').column('request_id').execute();
  await appendOnly(db, 'audit_log');

  await db.schema
    .createTable('cache_invalidations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('request_id', 'text')
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('targets', sql`text[]`, (c) => c.notNull())
    .addColumn('surface', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('requested', 'applied', 'failed')`))
    .addColumn('applied_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'cache_invalidations',
    'audit_log',
    'api_keys',
    'rules_current',
    'rules_versions',
    'config_current',
    'config_versions',
    'tenants',
  ])
    await db.schema.dropTable(table).execute();
  await sql`drop function reject_mutation()`.execute(db);
}

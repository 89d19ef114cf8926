import { sql, type Kysely } from 'kysely';

/**
 * Event tables are range-partitioned by `occurred_day` (UTC date of occurred_at); one partition per day is
 * created on demand (src/db/partitions.ts) and dropped by retention. The primary key (tenant_id, event_id,
 * occurred_day) makes every insert idempotent with `on conflict do nothing`. event_id uses the "C" collation
 * so export order (occurred_at, event_id) is bytewise and stable.
 */
const SUBJECT = sql`user_id text, anonymous_id text, session_id text`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table exposures (
      tenant_id text not null,
      event_id text collate "C" not null,
      occurred_day date not null,
      occurred_at timestamptz not null,
      request_id text not null,
      surface text not null,
      segment text not null,
      endpoint text not null,
      ${SUBJECT},
      algo_version text not null,
      config_version text,
      rules_version text,
      signal_version text,
      experiment_id text,
      experiment_variant text,
      items jsonb not null,
      context jsonb,
      source text not null,
      ingested_at timestamptz not null default now(),
      primary key (tenant_id, event_id, occurred_day)
    ) partition by range (occurred_day)`.execute(db);
  await sql`
    create table outcomes (
      tenant_id text not null,
      event_id text collate "C" not null,
      occurred_day date not null,
      occurred_at timestamptz not null,
      type text not null,
      item_id text not null,
      ${SUBJECT},
      request_id text,
      surface text,
      value double precision,
      quantity double precision,
      ingested_at timestamptz not null default now(),
      primary key (tenant_id, event_id, occurred_day)
    ) partition by range (occurred_day)`.execute(db);
  await sql`
    create table assignments (
      tenant_id text not null,
      event_id text collate "C" not null,
      occurred_day date not null,
      occurred_at timestamptz not null,
      experiment_id text not null,
      variant text not null,
      ${SUBJECT},
      request_id text,
      ingested_at timestamptz not null default now(),
      primary key (tenant_id, event_id, occurred_day)
    ) partition by range (occurred_day)`.execute(db);
  await sql`
    create table catalog_events (
      tenant_id text not null,
      event_id text collate "C" not null,
      occurred_day date not null,
      occurred_at timestamptz not null,
      kind text not null check (kind in ('catalog.upsert', 'catalog.delete')),
      item_id text not null,
      item jsonb,
      ingested_at timestamptz not null default now(),
      primary key (tenant_id, event_id, occurred_day)
    ) partition by range (occurred_day)`.execute(db);
  for (const table of ['exposures', 'outcomes', 'assignments', 'catalog_events']) {
    await sql`create index ${sql.id(`${table}_export_idx`)} on ${sql.id(table)} (tenant_id, occurred_at, event_id)`.execute(
      db,
    );
  }

  // Current catalog state; a deleted item stays as a tombstone (deleted = true) so late changes stay ordered.
  await sql`
    create table catalog_items (
      tenant_id text not null,
      item_id text not null,
      title text,
      tags jsonb not null default '[]',
      price double precision,
      available boolean not null,
      created_at timestamptz,
      deleted boolean not null default false,
      occurred_at timestamptz not null,
      event_id text not null,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, item_id)
    )`.execute(db);

  // Transactional outbox: one row per committed write, holding the events (a JSON array) to publish on
  // recsys.events.v1. Kept as uncompressed text: it is written once and read once, never queried.
  await sql`
    create table outbox (
      id bigserial primary key,
      events text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`alter table outbox alter column events set storage external`.execute(db);

  // Last stream entry each named consumer has committed, for operators and lag metrics.
  await sql`
    create table consumer_checkpoints (
      consumer text primary key,
      last_id text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'consumer_checkpoints',
    'outbox',
    'catalog_items',
    'catalog_events',
    'assignments',
    'outcomes',
    'exposures',
  ]) {
    await sql`drop table if exists ${sql.id(table)} cascade`.execute(db);
  }
}

import { sql, type Kysely, type Transaction } from 'kysely';
import type { IngestEvent } from '@recsys/contracts-ingest';
import type { IngestDatabase } from './schema.js';

type Db = Kysely<IngestDatabase> | Transaction<IngestDatabase>;

/** Adds one outbox row carrying `events` (in order); call inside the transaction that stores them. */
export async function enqueue(db: Db, events: IngestEvent[]): Promise<void> {
  if (!events.length) return;
  await db
    .insertInto('outbox')
    .values({ events: JSON.stringify(events) })
    .execute();
}

export interface OutboxRow {
  id: string;
  events: IngestEvent[];
}

/** Locks the oldest rows no other relay holds (`for update skip locked`); use inside a transaction. */
export async function lockOldest(trx: Transaction<IngestDatabase>, limit: number): Promise<OutboxRow[]> {
  const result = await sql<{ id: string; events: string }>`
    select id::text as id, events from outbox order by id limit ${limit} for update skip locked`.execute(trx);
  return result.rows.map((row) => ({ id: row.id, events: JSON.parse(row.events) as IngestEvent[] }));
}

export async function remove(trx: Transaction<IngestDatabase>, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await trx.deleteFrom('outbox').where('id', 'in', ids).execute();
}

export async function pendingCount(db: Db): Promise<number> {
  const row = await sql<{ n: string }>`select count(*)::text as n from outbox`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

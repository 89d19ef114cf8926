import { sql, type Kysely, type Transaction } from 'kysely';
import type { IngestEvent } from '@recsys/contracts-ingest';
import type { IngestDatabase } from './schema.js';

type Db = Kysely<IngestDatabase> | Transaction<IngestDatabase>;

/**
 * The text of an outbox row: one line per event, `<kind>\t<event as JSON>`, in order — the packed form
 * StreamProducer.publishPacked takes, so the relay hands it over as it is read (the kind is the entry type).
 * JSON.stringify escapes tabs and line breaks inside strings, so neither can occur in the JSON itself.
 */
export function encodeEvents(events: IngestEvent[]): string {
  return events.map(encodeEvent).join('\n');
}

/** One line of encodeEvents. */
export function encodeEvent(event: IngestEvent): string {
  return `${event.kind}\t${JSON.stringify(event)}`;
}

/** The packed entries of an outbox row's text; rows written as a JSON array of events are converted. */
export function packedEntries(text: string): string {
  return text.startsWith('[') ? encodeEvents(JSON.parse(text) as IngestEvent[]) : text;
}

/** Adds one outbox row carrying `events` (in order); call inside the transaction that stores them. */
export async function enqueue(db: Db, events: IngestEvent[]): Promise<void> {
  if (!events.length) return;
  await db
    .insertInto('outbox')
    .values({ events: encodeEvents(events) })
    .execute();
}

export interface OutboxRow {
  id: string;
  /** See packedEntries. */
  packed: string;
}

/** Locks the oldest rows no other relay holds (`for update skip locked`); use inside a transaction. */
export async function lockOldest(trx: Transaction<IngestDatabase>, limit: number): Promise<OutboxRow[]> {
  const result = await sql<{ id: string; events: string }>`
    select id::text as id, events from outbox order by id limit ${limit} for update skip locked`.execute(trx);
  return result.rows.map((row) => ({ id: row.id, packed: packedEntries(row.events) }));
}

export async function remove(trx: Transaction<IngestDatabase>, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await trx.deleteFrom('outbox').where('id', 'in', ids).execute();
}

export async function pendingCount(db: Db): Promise<number> {
  const row = await sql<{ n: string }>`select count(*)::text as n from outbox`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

import { sql, type Kysely, type Transaction } from 'kysely';
import type { AssignmentEvent, IngestEvent, OutcomeEvent } from '@recsys/contracts-ingest';
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

/** Characters JSON.stringify escapes in a string (lone surrogates included). */
// eslint-disable-next-line no-control-regex -- control characters are what is looked for
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;
const str = (value: string) => (JSON_ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`);
/** JSON of a finite number (as JSON.stringify writes it); `null` otherwise, as JSON.stringify does. */
const num = (value: number) => (Number.isFinite(value) ? String(value) : 'null');

/**
 * encodeEvent of an outcome as normalizeOutcome builds it (its keys in OutcomeEvent's order, the optional
 * ones only when set), written out field by field: the same text, about twice as fast.
 */
export function encodeOutcome(event: OutcomeEvent): string {
  let text = `outcome\t{"kind":"outcome","event_id":${str(event.event_id)},"tenant_id":${str(event.tenant_id)},"type":${str(event.type)},"item_id":${str(event.item_id)}`;
  if (event.user_id !== undefined) text += `,"user_id":${str(event.user_id)}`;
  if (event.anonymous_id !== undefined) text += `,"anonymous_id":${str(event.anonymous_id)}`;
  if (event.session_id !== undefined) text += `,"session_id":${str(event.session_id)}`;
  if (event.request_id !== undefined) text += `,"request_id":${str(event.request_id)}`;
  if (event.surface !== undefined) text += `,"surface":${str(event.surface)}`;
  if (event.value !== undefined) text += `,"value":${num(event.value)}`;
  if (event.quantity !== undefined) text += `,"quantity":${num(event.quantity)}`;
  return `${text},"occurred_at":${str(event.occurred_at)}}`;
}

/** encodeEvent of an assignment as normalizeAssignment builds it (see encodeOutcome). */
export function encodeAssignment(event: AssignmentEvent): string {
  let text = `assignment\t{"kind":"assignment","event_id":${str(event.event_id)},"tenant_id":${str(event.tenant_id)},"experiment_id":${str(event.experiment_id)},"variant":${str(event.variant)}`;
  if (event.user_id !== undefined) text += `,"user_id":${str(event.user_id)}`;
  if (event.anonymous_id !== undefined) text += `,"anonymous_id":${str(event.anonymous_id)}`;
  if (event.session_id !== undefined) text += `,"session_id":${str(event.session_id)}`;
  if (event.request_id !== undefined) text += `,"request_id":${str(event.request_id)}`;
  return `${text},"occurred_at":${str(event.occurred_at)}}`;
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

/**
 * Locks the oldest rows no other relay holds (`for update skip locked`) and reads the events of as many of them,
 * in order, as fit in `maxBytes` of text (always the first); use inside a transaction. The rows locked but not
 * read stay locked until the transaction ends, and are left for the next round.
 */
export async function lockOldest(
  trx: Transaction<IngestDatabase>,
  limit: number,
  maxBytes: number,
): Promise<OutboxRow[]> {
  // octet_length of a stored (toasted, uncompressed) value is read from its pointer: the text stays on disk.
  const locked = await sql<{ id: string; bytes: number }>`
    select id::text as id, octet_length(events) as bytes
      from outbox order by id limit ${limit} for update skip locked`.execute(trx);
  const ids: string[] = [];
  let bytes = 0;
  for (const row of locked.rows) {
    if (ids.length && bytes + row.bytes > maxBytes) break;
    ids.push(row.id);
    bytes += row.bytes;
  }
  if (!ids.length) return [];
  const result = await sql<{ id: string; events: string }>`
    select id::text as id, events from outbox where id = any(${ids}::bigint[]) order by id`.execute(trx);
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

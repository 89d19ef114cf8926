import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { AssignmentRow, ExposureRow, OutcomeRow } from '../domain/normalize.js';

/** Column name → SQL type of the recordset each insert reads from one JSON parameter. */
const COLUMNS = {
  exposures: {
    tenant_id: 'text',
    event_id: 'text',
    occurred_day: 'date',
    occurred_at: 'timestamptz',
    request_id: 'text',
    surface: 'text',
    segment: 'text',
    endpoint: 'text',
    user_id: 'text',
    anonymous_id: 'text',
    session_id: 'text',
    algo_version: 'text',
    config_version: 'text',
    rules_version: 'text',
    signal_version: 'text',
    experiment_id: 'text',
    experiment_variant: 'text',
    items: 'jsonb',
    context: 'jsonb',
    source: 'text',
  },
  outcomes: {
    tenant_id: 'text',
    event_id: 'text',
    occurred_day: 'date',
    occurred_at: 'timestamptz',
    type: 'text',
    item_id: 'text',
    user_id: 'text',
    anonymous_id: 'text',
    session_id: 'text',
    request_id: 'text',
    surface: 'text',
    value: 'double precision',
    quantity: 'double precision',
  },
  assignments: {
    tenant_id: 'text',
    event_id: 'text',
    occurred_day: 'date',
    occurred_at: 'timestamptz',
    experiment_id: 'text',
    variant: 'text',
    user_id: 'text',
    anonymous_id: 'text',
    session_id: 'text',
    request_id: 'text',
  },
} as const;

export type EventTable = keyof typeof COLUMNS;

const statements = new Map<EventTable, string>();
function insertStatement(table: EventTable): string {
  let text = statements.get(table);
  if (!text) {
    const cols = Object.keys(COLUMNS[table]);
    const defs = Object.entries(COLUMNS[table])
      .map(([c, t]) => `"${c}" ${t}`)
      .join(', ');
    text =
      `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) ` +
      `select ${cols.map((c) => `r."${c}"`).join(', ')} from json_to_recordset($1::json) as r(${defs}) ` +
      `on conflict do nothing returning tenant_id, event_id, occurred_day::text as occurred_day`;
    statements.set(table, text);
  }
  return text;
}

export type RowOf<T extends EventTable> = T extends 'exposures'
  ? ExposureRow & { source: string }
  : T extends 'outcomes'
    ? OutcomeRow
    : AssignmentRow;

/**
 * Inserts rows in one statement (the whole set travels as one JSON parameter); rows whose
 * (tenant_id, event_id, occurred_day) is already stored are skipped. Returns the keys (see eventKey) of the
 * rows inserted.
 */
export async function insertEvents<T extends EventTable>(
  client: pg.ClientBase,
  table: T,
  rows: RowOf<T>[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  if (!rows.length) return inserted;
  const result = await client.query<{ tenant_id: string; event_id: string; occurred_day: string }>(
    insertStatement(table),
    [JSON.stringify(rows)],
  );
  for (const row of result.rows) inserted.add(eventKey(row.tenant_id, row.event_id, row.occurred_day));
  return inserted;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY text format. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : text;
}

/** One row in COPY text format (without its line break), in the column order copyEvents names. */
export function copyLine<T extends EventTable>(table: T, row: RowOf<T>): string {
  const cols = COLUMN_NAMES[table];
  const r = row as unknown as Record<string, unknown>;
  const values = new Array<string>(cols.length);
  for (let i = 0; i < cols.length; i++) values[i] = copyValue(r[cols[i]!]);
  return values.join('\t');
}

const COLUMN_NAMES = Object.fromEntries(
  Object.entries(COLUMNS).map(([table, cols]) => [table, Object.keys(cols)]),
) as Record<EventTable, string[]>;

const columnList = (table: EventTable) => COLUMN_NAMES[table].map((c) => `"${c}"`).join(', ');

/**
 * Fast path for a chunk of new events: `COPY ... FROM STDIN` of `data` (copyLine lines, each ending in a
 * line break). Fails as a whole on
 * the first row already stored (unique violation), in which case the caller rolls back to a savepoint and
 * uses insertCopied.
 */
export async function copyEvents(client: pg.ClientBase, table: EventTable, data: Buffer): Promise<void> {
  const stream = client.query(copyFrom(`copy "${table}" (${columnList(table)}) from stdin`));
  await pipeline(Readable.from([data]), stream);
}

/**
 * The same rows as copyEvents, for a chunk that may hold stored events: copied into a temporary table
 * (dropped at commit), then inserted with `on conflict do nothing`. Returns the keys (see eventKey) of the
 * rows inserted.
 */
export async function insertCopied(
  client: pg.ClientBase,
  table: EventTable,
  data: Buffer,
): Promise<Set<string>> {
  const staging = `staging_${table}`;
  await client.query(
    `create temporary table "${staging}" (like "${table}" including defaults) on commit drop`,
  );
  await pipeline(
    Readable.from([data]),
    client.query(copyFrom(`copy pg_temp."${staging}" (${columnList(table)}) from stdin`)),
  );
  const result = await client.query<{ tenant_id: string; event_id: string; occurred_day: string }>(
    `insert into "${table}" (${columnList(table)}) select ${columnList(table)} from pg_temp."${staging}"
     on conflict do nothing returning tenant_id, event_id, occurred_day::text as occurred_day`,
  );
  await client.query(`drop table pg_temp."${staging}"`);
  const inserted = new Set<string>();
  for (const row of result.rows) inserted.add(eventKey(row.tenant_id, row.event_id, row.occurred_day));
  return inserted;
}

/** Identity of a stored event: the table's primary key. */
export function eventKey(tenantId: string, eventId: string, day: string): string {
  return eventKeyIn(eventGroup(tenantId, day), eventId);
}

/** The events of a tenant and day: eventKey is the group and the event id. */
export function eventGroup(tenantId: string, day: string): string {
  return `${tenantId}\u0000${day}`;
}

/** eventKey of an event of `group` (see eventGroup). */
export function eventKeyIn(group: string, eventId: string): string {
  return `${group}\u0000${eventId}`;
}

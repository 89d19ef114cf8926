/**
 * Export of a window [from, to) of one tenant's stored events, ordered by (occurred_at, event_id, kind)
 * (event_id in bytewise "C" order), read page by page inside one repeatable-read transaction so the
 * export is a consistent snapshot. Each line carries an opaque cursor; resuming with it continues strictly
 * after that line.
 */
import type { ExportLine, ExportType } from '@recsys/contracts-ingest';
import { AppError } from '@recsys/platform/problem';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { IngestDatabase } from '../db/schema.js';
import { dropUndefined } from './normalize.js';
import { parseInstant } from './time.js';

export const ExportCodes = {
  /** The export cursor is not one this service produced. */
  CURSOR_INVALID: 'RECSYS_EXPORT_CURSOR_INVALID',
  /** `from` is not before `to`. */
  WINDOW_INVALID: 'RECSYS_EXPORT_WINDOW_INVALID',
} as const;

export interface ExportRequest {
  tenantId: string;
  from: string;
  to: string;
  types: ExportType[];
  cursor?: string;
  limit?: number;
}

interface Position {
  at: string;
  id: string;
  kind: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.at, position.id, position.kind])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'string')) {
      const at = parseInstant(value[0] as string);
      if (at) return { at: at.iso, id: value[1] as string, kind: value[2] as string };
    }
  } catch {
    // fall through
  }
  throw new AppError({
    code: ExportCodes.CURSOR_INVALID,
    status: 400,
    detail: 'cursor is not a valid export cursor',
  });
}

const SOURCES: Record<ExportType, { table: string; filter?: string }> = {
  exposure: { table: 'exposures' },
  outcome: { table: 'outcomes' },
  assignment: { table: 'assignments' },
  'catalog.upsert': { table: 'catalog_events', filter: "kind = 'catalog.upsert'" },
  'catalog.delete': { table: 'catalog_events', filter: "kind = 'catalog.delete'" },
};

interface Row {
  kind: ExportType;
  at: string;
  event_id: string;
  data: Record<string, any>;
}

const AT = `to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

async function page(
  trx: Transaction<IngestDatabase>,
  request: ExportRequest,
  from: string,
  to: string,
  after: Position | undefined,
  size: number,
): Promise<Row[]> {
  const parts = request.types.map((type) => {
    const source = SOURCES[type];
    const conditions = [
      sql`tenant_id = ${request.tenantId}`,
      sql`occurred_at >= ${from}::timestamptz`,
      sql`occurred_at < ${to}::timestamptz`,
    ];
    if (source.filter) conditions.push(sql.raw(source.filter));
    if (after) conditions.push(sql`(occurred_at, event_id) >= (${after.at}::timestamptz, ${after.id})`);
    return sql`(select ${sql.lit(type)}::text as kind, ${sql.raw(AT)} as at, occurred_at, event_id, to_jsonb(t) as data
      from ${sql.table(source.table)} t where ${sql.join(conditions, sql` and `)}
      order by occurred_at, event_id limit ${size + 1})`;
  });
  const afterFilter = after
    ? sql`where (occurred_at, event_id, kind collate "C") > (${after.at}::timestamptz, ${after.id}, ${after.kind} collate "C")`
    : sql``;
  const result = await sql<Row>`select kind, at, event_id, data from (${sql.join(parts, sql` union all `)}) u
    ${afterFilter} order by occurred_at, event_id, kind collate "C" limit ${size}`.execute(trx);
  return result.rows;
}

function opt<T>(v: T | null | undefined): T | undefined {
  return v === null ? undefined : v;
}

export function toLine(row: Row): ExportLine {
  const d = row.data;
  const cursor = encodeCursor({ at: row.at, id: row.event_id, kind: row.kind });
  const base = { event_id: row.event_id, tenant_id: d.tenant_id as string, occurred_at: row.at };
  switch (row.kind) {
    case 'exposure':
      return dropUndefined({
        kind: 'exposure' as const,
        v: 1 as const,
        ...base,
        request_id: d.request_id,
        surface: d.surface,
        segment: d.segment,
        endpoint: d.endpoint,
        user_id: opt(d.user_id),
        anonymous_id: opt(d.anonymous_id),
        session_id: opt(d.session_id),
        items: d.items,
        algo_version: d.algo_version,
        config_version: opt(d.config_version),
        rules_version: opt(d.rules_version),
        signal_version: opt(d.signal_version),
        experiment: d.experiment_id ? { id: d.experiment_id, variant: d.experiment_variant } : undefined,
        context: opt(d.context),
        cursor,
      });
    case 'outcome':
      return dropUndefined({
        kind: 'outcome' as const,
        ...base,
        type: d.type,
        item_id: d.item_id,
        user_id: opt(d.user_id),
        anonymous_id: opt(d.anonymous_id),
        session_id: opt(d.session_id),
        request_id: opt(d.request_id),
        surface: opt(d.surface),
        value: opt(d.value),
        quantity: opt(d.quantity),
        cursor,
      });
    case 'assignment':
      return dropUndefined({
        kind: 'assignment' as const,
        ...base,
        experiment_id: d.experiment_id,
        variant: d.variant,
        user_id: opt(d.user_id),
        anonymous_id: opt(d.anonymous_id),
        session_id: opt(d.session_id),
        request_id: opt(d.request_id),
        cursor,
      });
    case 'catalog.upsert':
      return { kind: 'catalog.upsert', ...base, item: d.item, cursor };
    case 'catalog.delete':
      return { kind: 'catalog.delete', ...base, item_id: d.item_id, cursor };
  }
}

/** Validates the window and cursor; throws AppError before anything is streamed. */
export function prepareExport(request: ExportRequest): { from: string; to: string; after?: Position } {
  const from = parseInstant(request.from);
  const to = parseInstant(request.to);
  if (!from || !to || from.iso >= to.iso) {
    throw new AppError({
      code: ExportCodes.WINDOW_INVALID,
      status: 422,
      detail: '`from` must be before `to`',
    });
  }
  return { from: from.iso, to: to.iso, after: request.cursor ? decodeCursor(request.cursor) : undefined };
}

/**
 * Streams the export to `write` (one call per page of lines). Returns the number of lines written.
 */
export async function runExport(
  db: Kysely<IngestDatabase>,
  request: ExportRequest,
  write: (lines: ExportLine[]) => Promise<void>,
  pageSize = 5000,
): Promise<number> {
  const { from, to, after: start } = prepareExport(request);
  if (!request.types.length) return 0;
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      let after = start;
      let written = 0;
      for (;;) {
        const size = Math.min(pageSize, request.limit === undefined ? pageSize : request.limit - written);
        if (size <= 0) break;
        const rows = await page(trx, request, from, to, after, size);
        if (!rows.length) break;
        await write(rows.map(toLine));
        written += rows.length;
        const last = rows[rows.length - 1]!;
        after = { at: last.at, id: last.event_id, kind: last.kind };
        if (rows.length < size) break;
      }
      return written;
    });
}

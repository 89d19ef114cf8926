/**
 * Stores validated events exactly once. Every call is one transaction: the event rows (idempotent by primary
 * key) and, for outcomes and assignments that were new, one outbox row to re-publish them. A caller learns
 * per element whether it was accepted, a duplicate or rejected only after the commit.
 */
import type pg from 'pg';
import {
  copyEvents,
  copyLine,
  eventGroup,
  eventKeyIn,
  insertCopied,
  insertEvents,
  type EventTable,
  type RowOf,
} from '../db/events.repository.js';
import { encodeAssignment, encodeOutcome } from '../db/outbox.repository.js';
import { isMissingPartition, type PartitionManager } from '../db/partitions.js';
import type { NormalizedEvent, Rejection } from './normalize.js';

export interface ItemResult {
  status: 'accepted' | 'duplicate' | 'rejected';
  event_id?: string;
  code?: string;
  reason?: string;
  errors?: { pointer: string; message: string }[];
}

export type Source = 'http' | 'bulk' | 'stream';

const TABLE: Record<NormalizedEvent['kind'], EventTable> = {
  exposure: 'exposures',
  outcome: 'outcomes',
  assignment: 'assignments',
};

export interface StoreHooks {
  /** Called after a commit that added outbox rows (wakes the relay). */
  onOutbox?: () => void;
  /** Counts results by kind and status (called once per kind and status of a call, with the count). */
  onResult?: (kind: string, status: ItemResult['status'], count: number) => void;
}

/** Chunks at least this large go through COPY; smaller ones are inserted from their rows. */
const COPY_MIN_ROWS = 32;
const UNIQUE_VIOLATION = '23505';
const DEADLOCK_DETECTED = '40P01';
/** Tries of one write: a missing partition or a deadlock is retried, anything else fails the write. */
const WRITE_ATTEMPTS = 3;

/**
 * Lines of UTF-8 text, each ending in a line break, collected one by one: each is encoded straight into a
 * buffer as it comes, so what stays around until the write commits is a few buffers outside the JS heap
 * rather than thousands of strings the garbage collector would copy until then (and no string is joined
 * or copied again). Buffers start small and double up to MAX_SEGMENT bytes.
 */
export class Lines {
  private static readonly MAX_SEGMENT = 1 << 20;
  private readonly done: Buffer[] = [];
  private buf: Buffer | undefined;
  private pos = 0;

  push(line: string): void {
    // at most 3 bytes per UTF-16 code unit, plus the line break
    const need = line.length * 3 + 1;
    let buf = this.buf;
    if (!buf || this.pos + need > buf.length) {
      this.seal();
      const size = Math.max(need, Math.min(Lines.MAX_SEGMENT, (buf?.length ?? 2048) * 2));
      buf = this.buf = Buffer.allocUnsafeSlow(size);
    }
    this.pos += buf.write(line, this.pos, 'utf8');
    buf[this.pos++] = 10;
  }

  toBuffer(): Buffer {
    this.seal();
    return this.done.length === 1 ? this.done[0]! : Buffer.concat(this.done);
  }

  private seal(): void {
    if (this.buf && this.pos) {
      this.done.push(this.buf.subarray(0, this.pos));
      this.buf = this.buf.subarray(this.pos);
      this.pos = 0;
    }
  }
}

/** The rows of one table in a WriteBatch. */
interface TablePart {
  table: EventTable;
  kind: NormalizedEvent['kind'];
  /** Per row: its element's index, event id and group (its tenant and day, see eventGroup). */
  indexes: number[];
  eventIds: string[];
  groups: string[];
  /** The event ids added so far, by group. */
  seen: Map<string, Set<string>>;
  days: Set<string>;
  /** The tenant, day, group and group's ids of the row added last (rows of a day usually come together). */
  lastTenant: string | undefined;
  lastDay: string | undefined;
  lastGroup: string;
  lastIds: Set<string>;
  /** The rows while fewer than COPY_MIN_ROWS, then undefined (the COPY text stands for them). */
  rows: RowOf<EventTable>[] | undefined;
  copy: Lines;
}

/**
 * One write assembled element by element (EventStore.batch, then EventStore.commit). An element is turned
 * into its COPY line and outbox line when added and is not kept: only its index, event id and key are.
 */
export class WriteBatch {
  /** Results known before the write: rejected elements and repeats within the batch. */
  readonly early = new Map<number, ItemResult & { kind: string }>();
  readonly parts = new Map<EventTable, TablePart>();
  /** Packed outbox lines of the outcomes and assignments, in element order, and the row each stands for. */
  readonly outbox = new Lines();
  readonly outboxParts: TablePart[] = [];
  readonly outboxRows: number[] = [];
  private count = 0;

  constructor(readonly source: Source) {}

  get size(): number {
    return this.count;
  }

  add(item: NormalizedEvent | Rejection): void {
    const index = this.count++;
    if (!item.ok) {
      this.early.set(index, {
        kind: 'unknown',
        status: 'rejected',
        code: item.code,
        reason: item.reason,
        ...(item.errors ? { errors: item.errors } : {}),
      });
      return;
    }
    const table = TABLE[item.kind];
    let part = this.parts.get(table);
    if (!part) {
      part = {
        table,
        kind: item.kind,
        indexes: [],
        eventIds: [],
        groups: [],
        seen: new Map(),
        days: new Set(),
        lastTenant: undefined,
        lastDay: undefined,
        lastGroup: '',
        lastIds: new Set(),
        rows: [],
        copy: new Lines(),
      };
      this.parts.set(table, part);
    }
    if (item.day !== part.lastDay || item.row.tenant_id !== part.lastTenant) {
      const group = eventGroup(item.row.tenant_id, item.day);
      let ids = part.seen.get(group);
      if (!ids) part.seen.set(group, (ids = new Set()));
      part.days.add(item.day);
      part.lastTenant = item.row.tenant_id;
      part.lastDay = item.day;
      part.lastGroup = group;
      part.lastIds = ids;
    }
    const seen = part.lastIds.size;
    part.lastIds.add(item.eventId);
    if (part.lastIds.size === seen) {
      // Repeated within the same batch: the first occurrence is the one stored.
      this.early.set(index, { kind: item.kind, status: 'duplicate', event_id: item.eventId });
      return;
    }
    const row = item.kind === 'exposure' ? { ...item.row, source: this.source } : item.row;
    if (part.rows) {
      part.rows.push(row);
      if (part.rows.length >= COPY_MIN_ROWS) part.rows = undefined;
    }
    part.copy.push(copyLine(table, row));
    if (item.kind !== 'exposure') {
      this.outbox.push(item.kind === 'outcome' ? encodeOutcome(item.event) : encodeAssignment(item.event));
      this.outboxParts.push(part);
      this.outboxRows.push(part.indexes.length);
    }
    part.indexes.push(index);
    part.eventIds.push(item.eventId);
    part.groups.push(part.lastGroup);
  }
}

export class EventStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly partitions: PartitionManager,
    private readonly hooks: StoreHooks = {},
  ) {}

  /** An empty write to fill with `add` and store with `commit`. */
  batch(source: Source): WriteBatch {
    return new WriteBatch(source);
  }

  /**
   * Stores the valid elements of `items` and reports every element. `inTransaction` runs in the same
   * transaction after the inserts (e.g. a consumer checkpoint).
   */
  store(
    items: readonly (NormalizedEvent | Rejection)[],
    source: Source,
    inTransaction?: (client: pg.ClientBase) => Promise<unknown>,
  ): Promise<ItemResult[]> {
    const batch = this.batch(source);
    for (const item of items) batch.add(item);
    return this.commit(batch, inTransaction);
  }

  /** Stores a batch in one transaction and reports each of its elements, in the order they were added. */
  async commit(
    batch: WriteBatch,
    inTransaction?: (client: pg.ClientBase) => Promise<unknown>,
  ): Promise<ItemResult[]> {
    const parts = [...batch.parts.values()];
    let inserted: Inserted[] = [];
    if (parts.length || inTransaction) {
      for (const part of parts) await this.partitions.ensure(part.table, part.days);
      for (let attempt = 1; ; attempt++) {
        try {
          inserted = await this.write(batch, parts, inTransaction);
          break;
        } catch (error) {
          if (attempt >= WRITE_ATTEMPTS) throw error;
          if (isMissingPartition(error)) {
            // Dropped by retention (or by hand) since it was last seen.
            this.partitions.forget();
            for (const part of parts) await this.partitions.ensure(part.table, part.days);
          } else if ((error as { code?: string }).code !== DEADLOCK_DETECTED) {
            throw error;
          }
          // A deadlock: two writes inserting some of the same events in different orders (a bulk import's
          // concurrent chunks, or clients sending overlapping batches); Postgres aborted this one, the other
          // went on. Written again, the events the other one stored come back as duplicates.
        }
      }
    }

    const results: ItemResult[] = new Array(batch.size);
    const counts = new Map<string, { kind: string; status: ItemResult['status']; n: number }>();
    const count = (kind: string, status: ItemResult['status'], n: number) => {
      const key = `${kind}\u0000${status}`;
      const entry = counts.get(key);
      if (entry) entry.n += n;
      else if (n) counts.set(key, { kind, status, n });
    };
    for (const [index, { kind, ...result }] of batch.early) {
      results[index] = result;
      count(kind, result.status, 1);
    }
    let published = false;
    parts.forEach((part, p) => {
      let accepted = 0;
      for (let i = 0; i < part.indexes.length; i++) {
        const isNew = wasInserted(inserted[p]!, part, i);
        if (isNew) accepted++;
        results[part.indexes[i]!] = { status: isNew ? 'accepted' : 'duplicate', event_id: part.eventIds[i]! };
      }
      if (accepted && part.kind !== 'exposure') published = true;
      count(part.kind, 'accepted', accepted);
      count(part.kind, 'duplicate', part.indexes.length - accepted);
    });
    if (this.hooks.onResult) {
      for (const { kind, status, n } of counts.values()) this.hooks.onResult(kind, status, n);
    }
    if (published) this.hooks.onOutbox?.();
    return results;
  }

  private async write(
    batch: WriteBatch,
    parts: TablePart[],
    inTransaction?: (client: pg.ClientBase) => Promise<unknown>,
  ): Promise<Inserted[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const inserted: Inserted[] = [];
      let begun = false;
      for (const part of parts) {
        inserted.push(await this.insert(client, part, begun));
        begun = true;
      }
      if (!begun) await client.query('begin');
      const outbox = outboxText(batch, parts, inserted);
      if (outbox) await client.query('insert into outbox (events) values ($1)', [outbox]);
      if (inTransaction) await inTransaction(client);
      await client.query('commit');
      return inserted;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Few rows are inserted from their values with `on conflict do nothing`. More go through COPY (fast path);
   * when any of them is already stored the COPY fails as a whole, is rolled back to a savepoint, and the
   * same COPY text goes through a temporary table and `on conflict do nothing` instead. Opens the
   * transaction first unless `begun` (in the same round trip as the savepoint). The savepoint is not
   * released: the commit does that.
   */
  private async insert(client: pg.ClientBase, part: TablePart, begun: boolean): Promise<Inserted> {
    const begin = begun ? '' : 'begin; ';
    if (part.rows) {
      if (begin) await client.query('begin');
      return insertEvents(client, part.table, part.rows);
    }
    const data = part.copy.toBuffer();
    const savepoint = `copy_${part.table}`;
    await client.query(`${begin}savepoint ${savepoint}`);
    try {
      await copyEvents(client, part.table, data);
      return ALL;
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await client.query(`rollback to savepoint ${savepoint}`);
      return insertCopied(client, part.table, data);
    }
  }
}

/** What an insert added: the keys (see eventKey) of the rows, or ALL when it added every row it was given. */
type Inserted = Set<string> | typeof ALL;
const ALL = 'all';

function wasInserted(inserted: Inserted, part: TablePart, row: number): boolean {
  return inserted === ALL || inserted.has(eventKeyIn(part.groups[row]!, part.eventIds[row]!));
}

/**
 * The outbox row of a write: the batch's outbox lines, less those of rows that turned out to be stored
 * already. Undefined when no line is left.
 */
function outboxText(batch: WriteBatch, parts: TablePart[], inserted: Inserted[]): Buffer | undefined {
  if (!batch.outboxRows.length) return undefined;
  const lines = batch.outbox.toBuffer();
  const all = lines.subarray(0, lines.length - 1); // without the last line break
  if (inserted.every((i) => i === ALL)) return all;
  const insertedOf = new Map(parts.map((part, p) => [part, inserted[p]!]));
  const kept: Buffer[] = [];
  let start = 0;
  batch.outboxRows.forEach((row, i) => {
    const part = batch.outboxParts[i]!;
    let end = all.indexOf(10, start);
    if (end === -1) end = all.length;
    if (wasInserted(insertedOf.get(part)!, part, row)) kept.push(all.subarray(start, end));
    start = end + 1;
  });
  if (!kept.length) return undefined;
  const newline = Buffer.from('\n');
  return Buffer.concat(kept.flatMap((line, i) => (i ? [newline, line] : [line])));
}

/**
 * Stores validated events exactly once. Every call is one transaction: the event rows (idempotent by primary
 * key) and, for outcomes and assignments that were new, one outbox row to re-publish them. A caller learns
 * per element whether it was accepted, a duplicate or rejected only after the commit.
 */
import type { IngestEvent } from '@recsys/contracts-ingest';
import type pg from 'pg';
import { copyEvents, eventKey, insertEvents, type EventTable, type RowOf } from '../db/events.repository.js';
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
  /** Counts results by kind and status. */
  onResult?: (kind: string, status: ItemResult['status']) => void;
}

export class EventStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly partitions: PartitionManager,
    private readonly hooks: StoreHooks = {},
  ) {}

  /**
   * Stores the valid elements of `items` and reports every element. `inTransaction` runs in the same
   * transaction after the inserts (e.g. a consumer checkpoint).
   */
  async store(
    items: (NormalizedEvent | Rejection)[],
    source: Source,
    inTransaction?: (client: pg.ClientBase) => Promise<unknown>,
  ): Promise<ItemResult[]> {
    const results: ItemResult[] = new Array(items.length);
    const firstByKey = new Map<string, number>();
    const byTable = new Map<EventTable, { index: number; item: NormalizedEvent }[]>();
    items.forEach((item, index) => {
      if (!item.ok) {
        results[index] = {
          status: 'rejected',
          code: item.code,
          reason: item.reason,
          ...(item.errors ? { errors: item.errors } : {}),
        };
        return;
      }
      const key = `${item.kind}\u0000${eventKey(item.row.tenant_id, item.eventId, item.day)}`;
      if (firstByKey.has(key)) {
        // Repeated within the same call: the first occurrence is the one stored.
        results[index] = { status: 'duplicate', event_id: item.eventId };
        return;
      }
      firstByKey.set(key, index);
      const table = TABLE[item.kind];
      let list = byTable.get(table);
      if (!list) byTable.set(table, (list = []));
      list.push({ index, item });
    });

    let insertedByTable = new Map<EventTable, Set<string>>();
    if (byTable.size || inTransaction) {
      for (const [table, list] of byTable)
        await this.partitions.ensure(
          table,
          list.map((e) => e.item.day),
        );
      try {
        insertedByTable = await this.write(byTable, source, inTransaction);
      } catch (error) {
        if (!isMissingPartition(error)) throw error;
        this.partitions.forget();
        for (const [table, list] of byTable)
          await this.partitions.ensure(
            table,
            list.map((e) => e.item.day),
          );
        insertedByTable = await this.write(byTable, source, inTransaction);
      }
    }
    let published = false;
    for (const [table, list] of byTable) {
      const inserted = insertedByTable.get(table)!;
      for (const { index, item } of list) {
        const isNew = inserted.has(eventKey(item.row.tenant_id, item.eventId, item.day));
        results[index] = { status: isNew ? 'accepted' : 'duplicate', event_id: item.eventId };
        if (isNew && item.kind !== 'exposure') published = true;
      }
    }
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      this.hooks.onResult?.(item.ok ? item.kind : 'unknown', results[i]!.status);
    }
    if (published) this.hooks.onOutbox?.();
    return results;
  }

  private async write(
    byTable: Map<EventTable, { index: number; item: NormalizedEvent }[]>,
    source: Source,
    inTransaction?: (client: pg.ClientBase) => Promise<unknown>,
  ): Promise<Map<EventTable, Set<string>>> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const inserted = new Map<EventTable, Set<string>>();
      const events: { index: number; event: IngestEvent }[] = [];
      for (const [table, list] of byTable) {
        const rows = list.map(({ item }) =>
          item.kind === 'exposure' ? { ...item.row, source } : item.row,
        ) as RowOf<typeof table>[];
        const keys = await this.insert(client, table, rows);
        inserted.set(table, keys);
        for (const { index, item } of list) {
          if (item.kind !== 'exposure' && keys.has(eventKey(item.row.tenant_id, item.eventId, item.day))) {
            events.push({ index, event: item.event });
          }
        }
      }
      if (events.length) {
        events.sort((a, b) => a.index - b.index);
        await client.query('insert into outbox (events) values ($1)', [
          JSON.stringify(events.map((e) => e.event)),
        ]);
      }
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
   * New rows go through COPY (fast path); when any row of the chunk is already stored the COPY fails as a
   * whole, is rolled back to a savepoint, and the chunk is inserted with `on conflict do nothing` instead.
   */
  private async insert<T extends EventTable>(
    client: pg.ClientBase,
    table: T,
    rows: RowOf<T>[],
  ): Promise<Set<string>> {
    if (rows.length < COPY_MIN_ROWS) return insertEvents(client, table, rows);
    await client.query('savepoint copy_chunk');
    try {
      await copyEvents(client, table, rows);
      await client.query('release savepoint copy_chunk');
      return new Set(rows.map((r) => eventKey(r.tenant_id, r.event_id, r.occurred_day)));
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await client.query('rollback to savepoint copy_chunk');
      return insertEvents(client, table, rows);
    }
  }
}

/** Chunks at least this large try COPY first. */
const COPY_MIN_ROWS = 32;
const UNIQUE_VIOLATION = '23505';

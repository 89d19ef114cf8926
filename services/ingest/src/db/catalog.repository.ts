import { sql, type Transaction } from 'kysely';
import type { CatalogItem } from '@recsys/contracts-ingest';
import type { IngestDatabase } from './schema.js';

type Trx = Transaction<IngestDatabase>;

export async function insertCatalogEvent(
  trx: Trx,
  row: {
    tenant_id: string;
    event_id: string;
    occurred_day: string;
    occurred_at: string;
    kind: 'catalog.upsert' | 'catalog.delete';
    item_id: string;
    item: CatalogItem | null;
  },
): Promise<boolean> {
  const result = await trx
    .insertInto('catalog_events')
    .values({ ...row, item: row.item === null ? null : JSON.stringify(row.item) })
    .onConflict((oc) => oc.doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return result !== undefined;
}

/** Replaces the item's state unless a later change is already stored; true when the state changed. */
export async function upsertItem(
  trx: Trx,
  tenantId: string,
  item: CatalogItem,
  occurredAt: string,
  eventId: string,
): Promise<boolean> {
  const result = await sql<{ item_id: string }>`
    insert into catalog_items as c (tenant_id, item_id, title, tags, price, available, created_at, deleted,
                                    occurred_at, event_id, updated_at)
    values (${tenantId}, ${item.item_id}, ${item.title ?? null}, ${JSON.stringify(item.tags)}::jsonb,
            ${item.price ?? null}, ${item.available}, ${item.created_at ?? null}, false, ${occurredAt}, ${eventId}, now())
    on conflict (tenant_id, item_id) do update
      set title = excluded.title, tags = excluded.tags, price = excluded.price, available = excluded.available,
          created_at = excluded.created_at, deleted = false, occurred_at = excluded.occurred_at,
          event_id = excluded.event_id, updated_at = now()
      where c.occurred_at <= excluded.occurred_at
    returning item_id`.execute(trx);
  return result.rows.length > 0;
}

/** Marks the item deleted (a tombstone row is created for an unknown item); true when the state changed. */
export async function tombstoneItem(
  trx: Trx,
  tenantId: string,
  itemId: string,
  occurredAt: string,
  eventId: string,
): Promise<boolean> {
  const result = await sql<{ item_id: string }>`
    insert into catalog_items as c (tenant_id, item_id, available, deleted, occurred_at, event_id, updated_at)
    values (${tenantId}, ${itemId}, false, true, ${occurredAt}, ${eventId}, now())
    on conflict (tenant_id, item_id) do update
      set available = false, deleted = true, occurred_at = excluded.occurred_at, event_id = excluded.event_id,
          updated_at = now()
      where c.occurred_at <= excluded.occurred_at
    returning item_id`.execute(trx);
  return result.rows.length > 0;
}

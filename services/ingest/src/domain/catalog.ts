/**
 * Catalog writes: every accepted change is kept in `catalog_events` (idempotent by event id, exportable),
 * applied to `catalog_items` (last change by occurred_at wins; deletes leave a tombstone) and, when it changed
 * the state, re-published through the outbox, all in one transaction.
 */
import type { CatalogItem, CatalogItemBody, CatalogWriteResult, IngestEvent } from '@recsys/contracts-ingest';
import { AppError } from '@recsys/platform/problem';
import type { Kysely, Transaction } from 'kysely';
import * as catalog from '../db/catalog.repository.js';
import * as outbox from '../db/outbox.repository.js';
import type { PartitionManager } from '../db/partitions.js';
import type { IngestDatabase } from '../db/schema.js';
import { deriveEventId } from './identity.js';
import { dropUndefined, RejectCodes } from './normalize.js';
import { daysBefore, parseInstant, type Instant } from './time.js';

export interface CatalogSettings {
  maxFutureSkewMs: number;
  retentionDays: number;
  now?: () => number;
}

export class CatalogService {
  constructor(
    private readonly db: Kysely<IngestDatabase>,
    private readonly partitions: PartitionManager,
    private readonly settings: CatalogSettings,
    private readonly onOutbox: () => void = () => undefined,
  ) {}

  async upsert(tenantId: string, itemId: string, body: CatalogItemBody): Promise<CatalogWriteResult> {
    const at = this.instant(body.occurred_at);
    const item: CatalogItem = dropUndefined({
      item_id: itemId,
      title: body.title,
      tags: body.tags,
      price: body.price,
      available: body.available,
      created_at: body.created_at ? this.instant(body.created_at, false).iso : undefined,
    });
    const eventId = deriveEventId('catalog.upsert', { tenant_id: tenantId, occurred_at: at.iso, item });
    const event: IngestEvent = {
      kind: 'catalog.upsert',
      event_id: eventId,
      tenant_id: tenantId,
      item,
      occurred_at: at.iso,
    };
    const changed = await this.write(tenantId, itemId, at, eventId, event, (trx) =>
      catalog.upsertItem(trx, tenantId, item, at.iso, eventId),
    );
    return { item_id: itemId, event_id: eventId, status: changed ? 'stored' : 'stale' };
  }

  async remove(tenantId: string, itemId: string, occurredAt?: string): Promise<CatalogWriteResult> {
    const at = this.instant(occurredAt);
    const eventId = deriveEventId('catalog.delete', {
      tenant_id: tenantId,
      occurred_at: at.iso,
      item_id: itemId,
    });
    const event: IngestEvent = {
      kind: 'catalog.delete',
      event_id: eventId,
      tenant_id: tenantId,
      item_id: itemId,
      occurred_at: at.iso,
    };
    const changed = await this.write(tenantId, itemId, at, eventId, event, (trx) =>
      catalog.tombstoneItem(trx, tenantId, itemId, at.iso, eventId),
    );
    return { item_id: itemId, event_id: eventId, status: changed ? 'deleted' : 'stale' };
  }

  private async write(
    tenantId: string,
    itemId: string,
    at: Instant,
    eventId: string,
    event: IngestEvent,
    apply: (trx: Transaction<IngestDatabase>) => Promise<boolean>,
  ): Promise<boolean> {
    await this.partitions.ensure('catalog_events', [at.day]);
    const changed = await this.db.transaction().execute(async (trx) => {
      const isNew = await catalog.insertCatalogEvent(trx, {
        tenant_id: tenantId,
        event_id: eventId,
        occurred_day: at.day,
        occurred_at: at.iso,
        kind: event.kind as 'catalog.upsert' | 'catalog.delete',
        item_id: itemId,
        item: event.kind === 'catalog.upsert' ? event.item : null,
      });
      // A replay of a stored change: the state already reflects it (or a later one); report it as applied.
      if (!isNew) return true;
      const applied = await apply(trx);
      if (applied) await outbox.enqueue(trx, [event]);
      return applied;
    });
    if (changed) this.onOutbox();
    return changed;
  }

  private instant(value: string | undefined, checkWindow = true): Instant {
    const now = this.settings.now?.() ?? Date.now();
    const at = parseInstant(value ?? new Date(now).toISOString());
    if (!at) {
      throw new AppError({ code: RejectCodes.EVENT_INVALID, status: 400, detail: 'invalid timestamp' });
    }
    if (!checkWindow) return at;
    if (at.ms > now + this.settings.maxFutureSkewMs) {
      throw new AppError({
        code: RejectCodes.EVENT_IN_FUTURE,
        status: 422,
        detail: `occurred_at ${value} is more than ${Math.round(this.settings.maxFutureSkewMs / 1000)}s in the future`,
      });
    }
    if (this.settings.retentionDays > 0 && at.day < daysBefore(now, this.settings.retentionDays)) {
      throw new AppError({
        code: RejectCodes.EVENT_TOO_OLD,
        status: 422,
        detail: `occurred_at ${value} is older than the ${this.settings.retentionDays}-day retention window`,
      });
    }
    return at;
  }
}

import { ControlEvent } from '@recsys/contracts-admin';
import {
  CatalogDeleteEvent,
  CatalogUpsertEvent,
  type IngestEvent,
  type OutcomeEvent,
} from '@recsys/contracts-ingest';
import { ManifestEvent } from '@recsys/contracts-publisher';
import type { CachingKeyVerifier } from '@recsys/platform/auth';
import type { Logger } from '@recsys/platform/logger';
import type { TenantRuntimeCache } from './adapters/tenant-runtime.js';
import type { UserStateStore } from './adapters/user-state.js';
import { normalizeTags } from './domain/ranking/snapshot.js';
import type { ServingMetrics } from './metrics.js';
import type { SignalStore } from './signals/store.js';

export interface ConsumerDeps {
  signals: SignalStore;
  runtime: TenantRuntimeCache;
  keyVerifier: CachingKeyVerifier;
  userState: UserStateStore;
  metrics: ServingMetrics;
  logger: Logger;
}

/** recsys.control.v1 (every replica): cache invalidation, tenant disabled/enabled, key revoked. */
export function handleControl(deps: ConsumerDeps) {
  return async (_type: string, payload: unknown): Promise<void> => {
    const parsed = ControlEvent.safeParse(payload);
    if (!parsed.success) return;
    const event = parsed.data;
    deps.metrics.controlEvents.inc({ type: event.type });
    switch (event.type) {
      case 'config.updated':
      case 'rules.updated':
        await deps.runtime.revalidate(event.tenant_id);
        break;
      case 'cache.invalidated':
        if (event.targets.includes('config') || event.targets.includes('rules')) {
          await deps.runtime.revalidate(event.tenant_id);
        }
        if (event.targets.includes('popularity')) deps.signals.invalidate(event.tenant_id, event.surface);
        break;
      case 'tenant.disabled':
        deps.runtime.markDisabled(event.tenant_id);
        deps.keyVerifier.invalidateTenant(event.tenant_id);
        break;
      case 'tenant.enabled':
        deps.keyVerifier.invalidateTenant(event.tenant_id);
        await deps.runtime.revalidate(event.tenant_id);
        break;
      case 'key.revoked':
        deps.keyVerifier.invalidateKey(event.key_id);
        break;
    }
  };
}

/** recsys.manifests.v1 (every replica): a version was published or rolled back → reload that key now. */
export function handleManifest(deps: ConsumerDeps) {
  return async (_type: string, payload: unknown): Promise<void> => {
    const parsed = ManifestEvent.safeParse(payload);
    if (!parsed.success) return;
    const event = parsed.data;
    deps.metrics.controlEvents.inc({ type: event.type });
    const segment = deps.signals.source.segmented ? event.segment : 'default';
    await deps.signals.reload({ tenantId: event.tenant_id, surface: event.surface, segment });
  };
}

/** recsys.events.v1 catalog changes (every replica): applied to the in-memory catalog of the tenant. */
export function handleCatalog(deps: ConsumerDeps) {
  return (type: string, payload: unknown): void => {
    if (type === 'catalog.upsert') {
      const parsed = CatalogUpsertEvent.safeParse(payload);
      if (!parsed.success) return;
      const { item, tenant_id } = parsed.data;
      deps.signals.applyCatalog(tenant_id, item.item_id, {
        itemId: item.item_id,
        tags: normalizeTags(item.tags),
        available: item.available,
        ...(item.title !== undefined ? { title: item.title } : {}),
        ...(item.price !== undefined ? { price: item.price } : {}),
        ...(item.created_at !== undefined ? { createdAt: item.created_at } : {}),
      });
      deps.metrics.userEvents.inc({ kind: 'catalog.upsert' });
    } else if (type === 'catalog.delete') {
      const parsed = CatalogDeleteEvent.safeParse(payload);
      if (!parsed.success) return;
      deps.signals.applyCatalog(parsed.data.tenant_id, parsed.data.item_id, null);
      deps.metrics.userEvents.inc({ kind: 'catalog.delete' });
    }
  };
}

/** recsys.events.v1 outcomes (consumer group `serving`, shared by replicas): user state in Redis. */
export function handleUserEvents(deps: ConsumerDeps) {
  return async (messages: { payload: IngestEvent }[]): Promise<void> => {
    const outcomes = messages
      .map((m) => m.payload)
      .filter(
        (e): e is OutcomeEvent =>
          e.kind === 'outcome' && Boolean(e.user_id || e.anonymous_id || e.session_id),
      );
    if (!outcomes.length) return;
    const { stored, stale } = await deps.userState.record(outcomes);
    if (stored) deps.metrics.userEvents.inc({ kind: 'outcome' }, stored);
    if (stale) deps.metrics.userEvents.inc({ kind: 'outcome_older_than_ttl' }, stale);
  };
}

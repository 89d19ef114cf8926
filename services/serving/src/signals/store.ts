import type { Logger } from '@recsys/platform/logger';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Steps } from '../domain/ranking/slices.js';
import { snapshotSteps, type SnapshotArtifacts } from '../domain/ranking/snapshot.js';
import { catalogItemChanged } from '../domain/ranking/dense.js';
import type { CatalogItem, SignalSnapshot } from '../domain/ranking/types.js';
import type { ServingMetrics } from '../metrics.js';
import { SignalLoadError, SignalNotFoundError } from './errors.js';
import type { LoadedSignals, SignalSource } from './sources.js';
import { keyString, type SignalKey } from './validate.js';

export interface LoadedSnapshot {
  snapshot: SignalSnapshot;
  version: string;
  /** When this replica built it (epoch ms). */
  loadedAt: number;
  /** The manifest's updated_at (epoch ms): what "age" is measured from. */
  publishedAt: number;
  artifactCount: number;
}

interface Slot {
  key: SignalKey;
  current?: LoadedSnapshot;
  /** Last load failure since the last success. */
  error?: SignalLoadError;
  errorAt?: number;
  /** When the source was last consulted (success, missing or failure). */
  checkedAt: number;
  /** The source had nothing for this key at the last check. */
  missing: boolean;
  loading?: Promise<void>;
}

export interface Resolution {
  snapshot: SignalSnapshot | undefined;
  version: string | undefined;
  warnings: { code: string; detail: string }[];
}

export interface SignalStoreOptions {
  /** Re-check the source after this long on access (0 = only on events / invalidation). */
  ttlMs: number;
  /**
   * Load keys on first access (artifact mode). In DB-only mode every live key is known from the startup load,
   * activations, manifest events and the periodic check, so an unknown key is simply absent (no query per
   * request for surfaces that have nothing published).
   */
  lazy: boolean;
  /** Staged/older versions kept in memory for previews. */
  previewCacheSize?: number;
  /** Bytes of user profiles built per snapshot (default: the ranking engine's, 64 MiB; 0: none). */
  userProfileBytes?: number;
  now?: () => number;
}

const DEFAULT_SEGMENT = 'default';

/**
 * The in-memory signal snapshots, one per (tenant, surface, segment), shared read-only by all requests.
 * A reload builds the new snapshot off to the side and swaps the reference in one assignment. When a load
 * fails, the previous snapshot stays live and the failure is reported (readiness detail, metrics and a
 * SIGNAL_STALE warning on responses that use it).
 */
export class SignalStore {
  private readonly slots = new Map<string, Slot>();
  private readonly previews = new Map<string, LoadedSnapshot>();
  /** Live catalog changes from the events stream, per tenant, re-applied to every snapshot loaded later. */
  private readonly catalogOverlay = new Map<string, Map<string, CatalogItem | null>>();
  private readonly now: () => number;
  initialLoadDone = false;

  constructor(
    readonly source: SignalSource,
    private readonly metrics: ServingMetrics,
    private readonly logger: Logger,
    private readonly options: SignalStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** DB mode: loads every live version at startup. Failures are recorded per key; nothing throws. */
  async loadAllLive(): Promise<void> {
    if (!this.source.listLive) {
      this.initialLoadDone = true;
      return;
    }
    const live = await this.source.listLive();
    await Promise.all(live.map(({ key }) => this.refresh(key, true)));
    this.initialLoadDone = true;
  }

  /**
   * DB mode periodic check: reloads keys whose live version changed, picks up new keys, and retries keys whose
   * last load failed (so a failure while Postgres was unreachable clears once it is back).
   */
  async refreshChanged(): Promise<void> {
    if (!this.source.listLive) return;
    const live = await this.source.listLive();
    for (const { key, version } of live) {
      const slot = this.slots.get(keyString(key));
      if (slot?.current?.version !== version || slot.error) await this.refresh(key, true);
    }
  }

  /**
   * The snapshot for a request: the exact (tenant, surface, segment), else the surface's `default` segment,
   * else the tenant's `default` surface (the reference's namespace fallback). Throws SignalLoadError when
   * the first key that has anything to say failed to load and no earlier version is in memory.
   */
  async resolve(tenantId: string, surface: string, segment: string): Promise<Resolution> {
    const seg = this.source.segmented ? segment : DEFAULT_SEGMENT;
    const keys: SignalKey[] = [{ tenantId, surface, segment: seg }];
    if (seg !== DEFAULT_SEGMENT) keys.push({ tenantId, surface, segment: DEFAULT_SEGMENT });
    if (surface !== DEFAULT_SEGMENT)
      keys.push({ tenantId, surface: DEFAULT_SEGMENT, segment: DEFAULT_SEGMENT });
    for (const key of keys) {
      const slot = await this.access(key);
      if (slot.current) {
        const warnings = slot.error
          ? [
              {
                code: 'SIGNAL_STALE',
                detail: `signals could not be refreshed (${slot.error.message}); serving version ${slot.current.version}`,
              },
            ]
          : [];
        return { snapshot: slot.current.snapshot, version: slot.current.version, warnings };
      }
      if (slot.error) throw slot.error;
    }
    return {
      snapshot: undefined,
      version: undefined,
      warnings: [{ code: 'SIGNAL_UNAVAILABLE', detail: `no signals published for surface ${surface}` }],
    };
  }

  /** A specific version for a preview request (staged or older); cached in a small LRU. */
  async preview(tenantId: string, surface: string, segment: string, version: string): Promise<Resolution> {
    const key: SignalKey = { tenantId, surface, segment: this.source.segmented ? segment : DEFAULT_SEGMENT };
    const slot = this.slots.get(keyString(key));
    if (slot?.current?.version === version) {
      return { snapshot: slot.current.snapshot, version, warnings: [] };
    }
    const cacheKey = `${keyString(key)}@${version}`;
    let loaded = this.previews.get(cacheKey);
    if (!loaded) {
      const signals = await this.source.loadVersion(key, version);
      loaded = await this.build(key, signals);
      this.previews.set(cacheKey, loaded);
      while (this.previews.size > (this.options.previewCacheSize ?? 4)) {
        this.previews.delete(this.previews.keys().next().value as string);
      }
    } else {
      this.previews.delete(cacheKey);
      this.previews.set(cacheKey, loaded);
    }
    return { snapshot: loaded.snapshot, version, warnings: [] };
  }

  /** Reloads one key now (activation, manifest event). Failures are recorded, never thrown. */
  async reload(key: SignalKey): Promise<void> {
    await this.refresh(key, true);
  }

  /** Forgets the check time of a tenant's keys (optionally one surface) so the next access reloads. */
  invalidate(tenantId: string, surface?: string): void {
    for (const slot of this.slots.values()) {
      if (slot.key.tenantId === tenantId && (!surface || slot.key.surface === surface)) slot.checkedAt = 0;
    }
    for (const cacheKey of [...this.previews.keys()]) {
      if (cacheKey.startsWith(`${tenantId}/`)) this.previews.delete(cacheKey);
    }
  }

  /** Applies a live catalog change to every snapshot of the tenant (and remembers it for later loads). */
  applyCatalog(tenantId: string, itemId: string, item: CatalogItem | null): void {
    let overlay = this.catalogOverlay.get(tenantId);
    if (!overlay) this.catalogOverlay.set(tenantId, (overlay = new Map()));
    overlay.delete(itemId);
    overlay.set(itemId, item);
    if (overlay.size > 100_000) overlay.delete(overlay.keys().next().value as string);
    for (const slot of this.slots.values()) {
      if (slot.key.tenantId === tenantId && slot.current)
        applyCatalogItem(slot.current.snapshot, itemId, item);
    }
  }

  /** Readiness detail: which keys failed to load (degraded) and how many snapshots are live. */
  health(): { status: 'ok' | 'degraded' | 'unavailable'; detail: string } {
    if (!this.initialLoadDone) return { status: 'unavailable', detail: 'initial signal load in progress' };
    const failed = [...this.slots.values()].filter((s) => s.error);
    const live = [...this.slots.values()].filter((s) => s.current).length;
    if (failed.length) {
      return {
        status: 'degraded',
        detail: failed
          .slice(0, 5)
          .map(
            (s) =>
              `${keyString(s.key)}: ${s.error!.message}${s.current ? ` (serving ${s.current.version})` : ''}`,
          )
          .join('; '),
      };
    }
    return { status: 'ok', detail: `${live} snapshot(s) live (${this.source.mode} mode)` };
  }

  /** Live snapshots, for metrics collection. */
  liveSnapshots(): { key: SignalKey; loaded: LoadedSnapshot }[] {
    const out: { key: SignalKey; loaded: LoadedSnapshot }[] = [];
    for (const slot of this.slots.values())
      if (slot.current) out.push({ key: slot.key, loaded: slot.current });
    return out;
  }

  currentVersion(key: SignalKey): string | undefined {
    return this.slots.get(keyString(key))?.current?.version;
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private slotFor(key: SignalKey): Slot {
    const id = keyString(key);
    let slot = this.slots.get(id);
    if (!slot) {
      slot = { key, checkedAt: 0, missing: false };
      this.slots.set(id, slot);
    }
    return slot;
  }

  /** Returns the slot, loading it on first access and refreshing it in the background after the TTL. */
  private async access(key: SignalKey): Promise<Slot> {
    if (!this.options.lazy) return this.slots.get(keyString(key)) ?? { key, checkedAt: 0, missing: true };
    const slot = this.slotFor(key);
    const ttl = this.options.ttlMs;
    const expired = slot.checkedAt === 0 || (ttl > 0 && this.now() - slot.checkedAt >= ttl);
    if (!expired) return slot;
    if (slot.current) {
      // Stale-while-revalidate: the request is served from memory while the reload runs.
      void this.refresh(key, false);
      return slot;
    }
    await this.refresh(key, false);
    return slot;
  }

  private refresh(key: SignalKey, force: boolean): Promise<void> {
    const slot = this.slotFor(key);
    if (slot.loading) {
      return force ? slot.loading.then(() => this.refresh(key, false)) : slot.loading;
    }
    slot.loading = this.load(slot).finally(() => {
      slot.loading = undefined;
    });
    return slot.loading;
  }

  private async load(slot: Slot): Promise<void> {
    const mode = this.source.mode;
    try {
      if (slot.current && this.source.currentVersion) {
        const version = await this.source.currentVersion(slot.key);
        if (version === slot.current.version) {
          this.markChecked(slot);
          this.metrics.loads.inc({ mode, result: 'unchanged' });
          return;
        }
      }
      const signals = await this.source.loadCurrent(slot.key);
      if (!signals) {
        if (slot.current) {
          // The pointer disappeared: keep serving what we have, and say so.
          throw new SignalLoadError('manifest', 'current manifest not found', false);
        }
        slot.missing = true;
        this.markChecked(slot);
        this.metrics.loads.inc({ mode, result: 'missing' });
        return;
      }
      if (slot.current && signals.version === slot.current.version && !slot.error) {
        this.markChecked(slot);
        this.metrics.loads.inc({ mode, result: 'unchanged' });
        return;
      }
      const loaded = await this.build(slot.key, signals);
      slot.current = loaded;
      slot.missing = false;
      this.markChecked(slot);
      this.metrics.loads.inc({ mode, result: 'loaded' });
      this.metrics.snapshotBytes.set(labels(slot.key), loaded.snapshot.approxBytes);
      this.metrics.snapshotItems.set(labels(slot.key), loaded.snapshot.popularity.size);
      this.logger.info(
        { key: keyString(slot.key), version: loaded.version, bytes: loaded.snapshot.approxBytes, mode },
        'signal snapshot loaded',
      );
    } catch (error) {
      const failure =
        error instanceof SignalLoadError
          ? error
          : error instanceof SignalNotFoundError
            ? new SignalLoadError('manifest', error.message, false)
            : new SignalLoadError('manifest', `load failed: ${(error as Error).message}`, false, {
                cause: error,
              });
      slot.error = failure;
      slot.errorAt = this.now();
      slot.checkedAt = this.now();
      this.metrics.loadFailures.inc({ kind: failure.kind });
      this.metrics.loads.inc({ mode, result: 'failed' });
      this.logger.warn(
        { key: keyString(slot.key), err: failure, kept: slot.current?.version ?? null },
        'signal load failed; keeping the last good snapshot',
      );
    }
  }

  private markChecked(slot: Slot): void {
    slot.checkedAt = this.now();
    slot.error = undefined;
    slot.errorAt = undefined;
  }

  private async build(key: SignalKey, signals: LoadedSignals): Promise<LoadedSnapshot> {
    const snapshot = await inSlices(
      snapshotSteps(
        { tenantId: key.tenantId, surface: key.surface, segment: key.segment, version: signals.version },
        signals.artifacts as SnapshotArtifacts,
        this.options.userProfileBytes !== undefined
          ? { userProfileBytes: this.options.userProfileBytes }
          : {},
      ),
    );
    const overlay = this.catalogOverlay.get(key.tenantId);
    if (overlay) for (const [itemId, item] of overlay) applyCatalogItem(snapshot, itemId, item);
    return {
      snapshot,
      version: signals.version,
      loadedAt: this.now(),
      publishedAt: Date.parse(signals.manifest.updated_at),
      artifactCount: Object.keys(signals.artifacts).length,
    };
  }
}

/**
 * Runs a snapshot build, answering requests between its slices: a million-user snapshot takes seconds to build,
 * which in one piece would hold every request (and the health checks) of the process for as long.
 */
async function inSlices<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await nextTurn();
  }
}

function labels(key: SignalKey) {
  return { tenant: key.tenantId, surface: key.surface, segment: key.segment };
}

function applyCatalogItem(snapshot: SignalSnapshot, itemId: string, item: CatalogItem | null): void {
  const previousTags = snapshot.catalog.get(itemId)?.tags ?? [];
  if (item) snapshot.catalog.set(itemId, item);
  else {
    const existing = snapshot.catalog.get(itemId);
    snapshot.catalog.set(
      itemId,
      existing ? { ...existing, available: false } : { itemId, tags: [], available: false },
    );
  }
  catalogItemChanged(snapshot, itemId, previousTags);
}

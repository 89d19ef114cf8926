/** status / ship / rollback over the artifact registry (object store) or serving's signal versions (DB mode). */
import type { HistoryEntry, Manifest, ManifestEvent } from '@recsys/contracts-publisher';
import type { ServingSignals } from '../adapters/serving-client.js';
import { loadArtifacts, loadStagedManifest } from './pipeline.js';
import { movePointer, readCurrent, readHistory, rollbackTarget } from './publish/pointer.js';
import { keys, type ObjectStore } from './publish/store.js';

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export interface RegistryStatus {
  tenant: string;
  surface: string;
  segment: string;
  mode: 'artifact' | 'db';
  current: {
    version: string;
    seq?: number;
    updated_at?: string;
    uri?: string;
    gate?: Manifest['gate'];
  } | null;
  staged: string[];
  history: (HistoryEntry | { version: string; activated_at?: string })[];
}

export async function artifactStatus(
  store: ObjectStore,
  tenant: string,
  surface: string,
  segment: string,
): Promise<RegistryStatus> {
  const current = await readCurrent(store, tenant, surface);
  const stagedKeys = await store.list(`registry/staged/${tenant}/${surface}/`);
  const staged = [
    ...new Set(
      stagedKeys
        .filter((k) => k.endsWith('/manifest.json'))
        .map((k) => k.split('/').slice(-2, -1)[0]!)
        .filter(Boolean),
    ),
  ];
  return {
    tenant,
    surface,
    segment,
    mode: 'artifact',
    current: current.manifest
      ? {
          version: current.manifest.version,
          seq: current.seq,
          updated_at: current.manifest.updated_at,
          uri: store.uri(keys.current(tenant, surface)),
          ...(current.manifest.gate ? { gate: current.manifest.gate } : {}),
        }
      : null,
    staged,
    history: await readHistory(store, tenant, surface),
  };
}

export async function dbStatus(
  serving: ServingSignals,
  tenant: string,
  surface: string,
  segment: string,
): Promise<RegistryStatus> {
  const status = await serving.status(tenant, surface, segment);
  return {
    tenant,
    surface,
    segment,
    mode: 'db',
    current: status.live ? { version: status.live } : null,
    staged: status.staged,
    history: status.history,
  };
}

export interface PointerOpDeps {
  store: ObjectStore;
  writer: string;
  now: () => Date;
  emit: (event: ManifestEvent) => Promise<void>;
  withLock: <T>(tenant: string, surface: string, fn: () => Promise<T>) => Promise<T>;
}

/** Makes a staged version current (artifact mode); verifies its objects first. */
export async function shipArtifact(
  deps: PointerOpDeps,
  target: { tenant: string; surface: string; segment: string; version: string },
  action: 'ship' | 'rollback',
): Promise<{ version: string; previous: string | null; seq: number }> {
  const { store } = deps;
  const manifest = await loadStagedManifest(store, target.tenant, target.surface, target.version);
  if (!manifest) throw new NotFoundError(`no staged manifest for version ${target.version}`);
  await loadArtifacts(store, manifest); // every object present and matching its checksum
  return deps.withLock(target.tenant, target.surface, async () => {
    const current = await readCurrent(store, target.tenant, target.surface);
    const moved = await movePointer(store, {
      tenant: target.tenant,
      surface: target.surface,
      manifest,
      manifestKey: keys.staged(target.tenant, target.surface, target.version),
      action,
      expectedCurrent: current.manifest?.version ?? null,
      writer: deps.writer,
      now: deps.now(),
    });
    await deps.emit({
      type: action === 'rollback' ? 'manifest.rolled_back' : 'manifest.published',
      tenant_id: target.tenant,
      surface: target.surface,
      segment: target.segment,
      version: target.version,
      uri: store.uri(keys.current(target.tenant, target.surface)),
      at: deps.now().toISOString(),
    });
    return { version: target.version, previous: moved.previousVersion, seq: moved.seq };
  });
}

export async function rollbackArtifact(
  deps: PointerOpDeps,
  target: { tenant: string; surface: string; segment: string; to?: string },
): Promise<{ version: string; previous: string | null; seq: number }> {
  const current = await readCurrent(deps.store, target.tenant, target.surface);
  const history = await readHistory(deps.store, target.tenant, target.surface);
  const entry = rollbackTarget(history, current.manifest?.version ?? null, target.to);
  if (!entry) {
    throw new NotFoundError(
      target.to ? `version ${target.to} is not in the history` : 'no previous version to roll back to',
    );
  }
  return shipArtifact(deps, { ...target, version: entry.version }, 'rollback');
}

export interface DbOpDeps {
  serving: ServingSignals;
  now: () => Date;
  emit: (event: ManifestEvent) => Promise<void>;
}

export async function activateDb(
  deps: DbOpDeps,
  target: { tenant: string; surface: string; segment: string; version?: string },
  action: 'ship' | 'rollback',
): Promise<{ version: string; previous: string | null }> {
  const status = await deps.serving.status(target.tenant, target.surface, target.segment);
  let version = target.version;
  if (!version) {
    if (action === 'ship') version = status.staged[status.staged.length - 1];
    else version = [...status.history].reverse().find((h) => h.version !== status.live)?.version;
  }
  if (!version)
    throw new NotFoundError(action === 'ship' ? 'no staged version' : 'no previous version to roll back to');
  const out = await deps.serving.activate(target.tenant, target.surface, target.segment, version);
  await deps.emit({
    type: action === 'rollback' ? 'manifest.rolled_back' : 'manifest.published',
    tenant_id: target.tenant,
    surface: target.surface,
    segment: target.segment,
    version,
    at: deps.now().toISOString(),
  });
  return { version, previous: out.previous_version ?? status.live };
}

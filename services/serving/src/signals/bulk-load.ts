import type { Kysely } from 'kysely';
import type { PutSignalVersionBody, SignalVersionInfo } from '@recsys/contracts-serving';
import type { ArtifactKind } from '@recsys/contracts-publisher';
import * as repo from '../db/signals.repository.js';
import type { ServingDatabase } from '../db/schema.js';
import { servingProblems } from '../errors.js';
import { SignalLoadError } from './errors.js';
import type { SignalStore } from './store.js';
import { checkArtifact, checkManifest, countArtifacts, sha256Hex, type SignalKey } from './validate.js';

/**
 * DB-only mode bulk load: the publisher stages a version (validated, stored verbatim with checksums), then
 * activates it; activation is one transaction (previous live → retired, target → live) followed by an
 * in-memory swap on this replica (other replicas follow on the manifests event or their refresh interval).
 */
export async function stageVersion(
  db: Kysely<ServingDatabase>,
  key: SignalKey,
  version: string,
  body: PutSignalVersionBody,
): Promise<{ version: string; status: 'staged'; counts: Record<string, number> }> {
  let counts: Record<string, number>;
  const rows: repo.ArtifactRow[] = [];
  try {
    const manifest = checkManifest(body.manifest, key, true);
    if (manifest.version !== version) {
      throw new SignalLoadError(
        'manifest',
        `manifest version ${manifest.version} differs from path ${version}`,
        true,
      );
    }
    for (const [kind, artifact] of Object.entries(body.artifacts)) {
      if (!artifact) continue;
      checkArtifact(artifact, kind as ArtifactKind, key);
      const text = JSON.stringify(artifact);
      rows.push({ kind, body: text, sha256: sha256Hex(text), bytes: Buffer.byteLength(text) });
    }
    counts = countArtifacts(body.artifacts);
  } catch (error) {
    if (error instanceof SignalLoadError) throw servingProblems.artifactIncompatible(error.message);
    throw error;
  }
  rows.sort((a, b) => (a.kind < b.kind ? -1 : 1));
  const artifactShas = rows.map((r) => [r.kind, r.sha256]);
  // The manifest's publication fields (when, and what it replaced) change when the same build is uploaded again,
  // e.g. a re-run over the same window: they are not content.
  const {
    updated_at: _updatedAt,
    previous_version: _previous,
    ...stable
  } = body.manifest as Record<string, unknown>;
  const contentHash = sha256Hex(JSON.stringify({ manifest: canonical(stable), artifacts: artifactShas }));
  // Versions stored before the publication fields were left out carry a hash over the whole manifest.
  const wholeManifestHash = sha256Hex(
    JSON.stringify({ manifest: canonical(body.manifest), artifacts: artifactShas }),
  );
  const existing = await repo.findVersion(db, key, version);
  if (existing) {
    if (existing.content_hash !== contentHash && existing.content_hash !== wholeManifestHash)
      throw servingProblems.versionConflict(version);
    return { version, status: 'staged', counts: existing.counts };
  }
  try {
    await repo.insertStagedVersion(db, key, version, body.manifest as never, counts, contentHash, rows);
  } catch (error) {
    // A concurrent identical upload won the race: same answer as the idempotent path.
    if ((error as { code?: string }).code === '23505') {
      const again = await repo.findVersion(db, key, version);
      if (again?.content_hash === contentHash) return { version, status: 'staged', counts: again.counts };
      throw servingProblems.versionConflict(version);
    }
    throw error;
  }
  return { version, status: 'staged', counts };
}

export async function activateVersion(
  db: Kysely<ServingDatabase>,
  store: SignalStore | undefined,
  key: SignalKey,
  version: string,
): Promise<{ version: string; status: 'live'; previous_version: string | null }> {
  const result = await repo.activateVersion(db, key, version);
  if (!result) throw servingProblems.versionNotFound(version);
  // Swap this replica now; the response is sent after the new snapshot is live here.
  await store?.reload(key);
  return { version, status: 'live', previous_version: result.previous };
}

export async function versionStatus(
  db: Kysely<ServingDatabase>,
  key: SignalKey,
): Promise<{ live: SignalVersionInfo | null; staged: SignalVersionInfo[]; history: SignalVersionInfo[] }> {
  const rows = await repo.listVersions(db, key);
  const info = (r: repo.VersionRow): SignalVersionInfo => ({
    version: r.version,
    status: r.status,
    counts: r.counts,
    created_at: r.created_at.toISOString(),
    activated_at: r.activated_at ? r.activated_at.toISOString() : null,
  });
  return {
    live: rows.filter((r) => r.status === 'live').map(info)[0] ?? null,
    staged: rows.filter((r) => r.status === 'staged').map(info),
    history: rows.filter((r) => r.status === 'retired').map(info),
  };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

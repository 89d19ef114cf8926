import { sql, type Kysely, type Transaction } from 'kysely';
import type { ServingDatabase, SignalStatus } from './schema.js';

type Db = Kysely<ServingDatabase> | Transaction<ServingDatabase>;

export interface SignalKey {
  tenantId: string;
  surface: string;
  segment: string;
}

export interface VersionRow {
  id: string;
  tenant_id: string;
  surface: string;
  segment: string;
  version: string;
  status: SignalStatus;
  counts: Record<string, number>;
  content_hash: string;
  created_at: Date;
  activated_at: Date | null;
}

export interface ArtifactRow {
  kind: string;
  body: string;
  sha256: string;
  bytes: number;
}

const versionColumns = [
  'id',
  'tenant_id',
  'surface',
  'segment',
  'version',
  'status',
  'counts',
  'content_hash',
  'created_at',
  'activated_at',
] as const;

export async function findVersion(db: Db, key: SignalKey, version: string): Promise<VersionRow | undefined> {
  return db
    .selectFrom('signal_versions')
    .select(versionColumns)
    .where('tenant_id', '=', key.tenantId)
    .where('surface', '=', key.surface)
    .where('segment', '=', key.segment)
    .where('version', '=', version)
    .executeTakeFirst() as Promise<VersionRow | undefined>;
}

/** Inserts a staged version with its artifacts in one transaction. */
export async function insertStagedVersion(
  db: Kysely<ServingDatabase>,
  key: SignalKey,
  version: string,
  manifest: Record<string, unknown>,
  counts: Record<string, number>,
  contentHash: string,
  artifacts: ArtifactRow[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('signal_versions')
      .values({
        tenant_id: key.tenantId,
        surface: key.surface,
        segment: key.segment,
        version,
        status: 'staged',
        manifest: JSON.stringify(manifest),
        counts: JSON.stringify(counts),
        content_hash: contentHash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const artifact of artifacts) {
      await trx
        .insertInto('signal_artifacts')
        .values({ version_id: row.id, ...artifact })
        .execute();
    }
  });
}

/**
 * Makes `version` live in one transaction: the current live version (if any, and different) becomes
 * retired. Returns the previous live version, or undefined when `version` does not exist.
 */
export async function activateVersion(
  db: Kysely<ServingDatabase>,
  key: SignalKey,
  version: string,
): Promise<{ previous: string | null } | undefined> {
  return db.transaction().execute(async (trx) => {
    // Serialize concurrent activations of the same key.
    await sql`select pg_advisory_xact_lock(hashtext(${`${key.tenantId}/${key.surface}/${key.segment}`}))`.execute(
      trx,
    );
    const target = await findVersion(trx, key, version);
    if (!target) return undefined;
    const live = await trx
      .selectFrom('signal_versions')
      .select(['id', 'version'])
      .where('tenant_id', '=', key.tenantId)
      .where('surface', '=', key.surface)
      .where('segment', '=', key.segment)
      .where('status', '=', 'live')
      .executeTakeFirst();
    if (live?.version === version) return { previous: null };
    if (live) {
      await trx
        .updateTable('signal_versions')
        .set({ status: 'retired', retired_at: new Date() })
        .where('id', '=', live.id)
        .execute();
    }
    await trx
      .updateTable('signal_versions')
      .set({ status: 'live', activated_at: new Date(), retired_at: null })
      .where('id', '=', target.id)
      .execute();
    return { previous: live?.version ?? null };
  });
}

export async function listVersions(db: Db, key: SignalKey): Promise<VersionRow[]> {
  return db
    .selectFrom('signal_versions')
    .select(versionColumns)
    .where('tenant_id', '=', key.tenantId)
    .where('surface', '=', key.surface)
    .where('segment', '=', key.segment)
    .orderBy('activated_at', (o) => o.desc().nullsLast())
    .orderBy('created_at', 'desc')
    .execute() as Promise<VersionRow[]>;
}

/** Every live version (one per key), for the startup load and periodic refresh. */
export async function listLive(db: Db): Promise<VersionRow[]> {
  return db
    .selectFrom('signal_versions')
    .select(versionColumns)
    .where('status', '=', 'live')
    .execute() as Promise<VersionRow[]>;
}

export async function loadArtifacts(db: Db, versionId: string): Promise<ArtifactRow[]> {
  return db
    .selectFrom('signal_artifacts')
    .select(['kind', 'body', 'sha256', 'bytes'])
    .where('version_id', '=', versionId)
    .orderBy('kind')
    .execute();
}

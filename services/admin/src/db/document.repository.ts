import { sql } from 'kysely';
import type { Db } from './tenant.repository.js';

export type DocumentKind = 'config' | 'rules';

const tables = {
  config: { versions: 'config_versions', current: 'config_current' },
  rules: { versions: 'rules_versions', current: 'rules_current' },
} as const;

export interface VersionRow {
  id: string;
  etag: string;
  document: unknown;
  created_at: Date;
  created_by: string;
}

export async function currentVersion(
  db: Db,
  kind: DocumentKind,
  tenantId: string,
): Promise<VersionRow | undefined> {
  const t = tables[kind];
  return db
    .selectFrom(`${t.current} as c` as 'config_current as c')
    .innerJoin(`${t.versions} as v` as 'config_versions as v', 'v.id', 'c.version_id')
    .select(['v.id', 'v.etag', 'v.document', 'v.created_at', 'v.created_by'])
    .where('c.tenant_id', '=', tenantId)
    .executeTakeFirst();
}

export async function findVersion(
  db: Db,
  kind: DocumentKind,
  tenantId: string,
  etag: string,
): Promise<VersionRow | undefined> {
  return db
    .selectFrom(tables[kind].versions as 'config_versions')
    .select(['id', 'etag', 'document', 'created_at', 'created_by'])
    .where('tenant_id', '=', tenantId)
    .where('etag', '=', etag)
    .executeTakeFirst();
}

/** Inserts the version, or returns the existing row with the same content (same ETag). */
export async function upsertVersion(
  db: Db,
  kind: DocumentKind,
  tenantId: string,
  document: unknown,
  etag: string,
  createdBy: string,
): Promise<VersionRow> {
  const table = tables[kind].versions as 'config_versions';
  const inserted = await db
    .insertInto(table)
    .values({ tenant_id: tenantId, document: JSON.stringify(document), etag, created_by: createdBy })
    .onConflict((oc) => oc.columns(['tenant_id', 'etag']).doNothing())
    .returning(['id', 'etag', 'document', 'created_at', 'created_by'])
    .executeTakeFirst();
  if (inserted) return inserted;
  return (await findVersion(db, kind, tenantId, etag))!;
}

export async function setCurrent(
  db: Db,
  kind: DocumentKind,
  tenantId: string,
  versionId: string,
  updatedBy: string,
): Promise<void> {
  await db
    .insertInto(tables[kind].current as 'config_current')
    .values({ tenant_id: tenantId, version_id: versionId, updated_by: updatedBy })
    .onConflict((oc) =>
      oc
        .column('tenant_id')
        .doUpdateSet({ version_id: versionId, updated_by: updatedBy, updated_at: sql`now()` }),
    )
    .execute();
}

export async function listVersions(
  db: Db,
  kind: DocumentKind,
  tenantId: string,
  limit: number,
): Promise<VersionRow[]> {
  return db
    .selectFrom(tables[kind].versions as 'config_versions')
    .select(['id', 'etag', 'document', 'created_at', 'created_by'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

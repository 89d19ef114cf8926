import type { Selectable } from 'kysely';
import type { ApiKeysTable } from './schema.js';
import type { Db } from './tenant.repository.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;
export type ApiKeyWithTenant = ApiKeyRow & {
  tenant_external_id: string;
  tenant_status: 'active' | 'disabled';
};

export async function insertApiKey(
  db: Db,
  values: {
    tenant_id: string;
    name: string;
    key_prefix: string;
    key_hash: string;
    roles: string[];
    created_by: string;
    expires_at: Date | null;
  },
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({ ...values, revoked_at: null, last_used_at: null, replaced_by: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Every key the tenant ever had, revoked and expired ones included. */
export async function countApiKeys(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findApiKey(
  db: Db,
  tenantId: string,
  id: string,
  lock = false,
): Promise<ApiKeyRow | undefined> {
  let query = db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findByPrefix(db: Db, prefix: string): Promise<ApiKeyWithTenant | undefined> {
  return db
    .selectFrom('api_keys as k')
    .innerJoin('tenants as t', 't.id', 'k.tenant_id')
    .selectAll('k')
    .select(['t.external_id as tenant_external_id', 't.status as tenant_status'])
    .where('k.key_prefix', '=', prefix)
    .executeTakeFirst();
}

export async function revokeApiKey(
  db: Db,
  id: string,
  replacedBy: string | null = null,
): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: new Date(), ...(replacedBy ? { replaced_by: replacedBy } : {}) })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Touches last_used_at unless it was set less than a minute ago (by another replica, say). */
export async function touchLastUsed(db: Db, id: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: new Date() })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(Date.now() - 60_000))]),
    )
    .execute();
}

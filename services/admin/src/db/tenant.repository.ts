import type { Kysely, Transaction } from 'kysely';
import type { AdminDatabase } from './schema.js';

export type Db = Kysely<AdminDatabase> | Transaction<AdminDatabase>;

export interface TenantRow {
  id: string;
  external_id: string;
  display_name: string;
  status: 'active' | 'disabled';
  created_at: Date;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Inserts a tenant; returns undefined when the external id is already taken. */
export async function insertTenant(
  db: Db,
  externalId: string,
  displayName: string,
): Promise<TenantRow | undefined> {
  return db
    .insertInto('tenants')
    .values({ external_id: externalId, display_name: displayName })
    .onConflict((oc) => oc.column('external_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function listTenants(db: Db): Promise<TenantRow[]> {
  return db.selectFrom('tenants').selectAll().orderBy('external_id').execute();
}

/** By external id, or by internal UUID when the reference is one. `lock` takes a row lock (in a transaction). */
export async function findTenant(db: Db, ref: string, lock = false): Promise<TenantRow | undefined> {
  let query = db
    .selectFrom('tenants')
    .selectAll()
    .where((eb) =>
      UUID.test(ref) ? eb.or([eb('external_id', '=', ref), eb('id', '=', ref)]) : eb('external_id', '=', ref),
    );
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function setTenantStatus(
  db: Db,
  id: string,
  status: 'active' | 'disabled',
): Promise<TenantRow | undefined> {
  return db
    .updateTable('tenants')
    .set({ status, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

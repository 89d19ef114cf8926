import type { Tenant } from '@recsys/contracts-admin';
import type { Kysely } from 'kysely';
import type { AdminDatabase } from '../db/schema.js';
import * as tenants from '../db/tenant.repository.js';
import { recordAudit, type Actor } from './audit.js';
import { adminProblems } from './codes.js';
import type { ControlPublisher } from './control.js';

export { AdminCodes as TenantCodes } from './codes.js';

export async function resolveTenant(db: tenants.Db, ref: string, lock = false): Promise<tenants.TenantRow> {
  const row = await tenants.findTenant(db, ref, lock);
  if (!row) throw adminProblems.tenantNotFound(ref);
  return row;
}

export async function createTenant(
  db: Kysely<AdminDatabase>,
  externalId: string,
  displayName: string,
  actor: Actor,
): Promise<Tenant> {
  return db.transaction().execute(async (trx) => {
    const row = await tenants.insertTenant(trx, externalId, displayName);
    if (!row) throw adminProblems.tenantExists(externalId);
    const tenant = toTenant(row);
    await recordAudit(trx, row.id, actor, {
      action: 'tenant.create',
      entityType: 'tenant',
      entityId: row.id,
      after: tenant,
    });
    return tenant;
  });
}

export async function listTenants(db: Kysely<AdminDatabase>): Promise<Tenant[]> {
  return (await tenants.listTenants(db)).map(toTenant);
}

export async function getTenant(db: Kysely<AdminDatabase>, ref: string): Promise<Tenant> {
  return toTenant(await resolveTenant(db, ref));
}

/** Disables or enables a tenant; publishes tenant.disabled / tenant.enabled when the status changed. */
export async function setTenantStatus(
  db: Kysely<AdminDatabase>,
  control: ControlPublisher,
  ref: string,
  status: 'active' | 'disabled',
  actor: Actor,
): Promise<Tenant> {
  const { tenant, changed } = await db.transaction().execute(async (trx) => {
    const before = await resolveTenant(trx, ref, true);
    if (before.status === status) return { tenant: toTenant(before), changed: false };
    const after = (await tenants.setTenantStatus(trx, before.id, status))!;
    await recordAudit(trx, before.id, actor, {
      action: status === 'disabled' ? 'tenant.disable' : 'tenant.enable',
      entityType: 'tenant',
      entityId: before.id,
      before: { status: before.status },
      after: { status: after.status },
    });
    return { tenant: toTenant(after), changed: true };
  });
  if (changed) {
    await control.publish({
      type: status === 'disabled' ? 'tenant.disabled' : 'tenant.enabled',
      tenant_id: tenant.external_id,
    });
  }
  return tenant;
}

export function toTenant(row: tenants.TenantRow): Tenant {
  return {
    id: row.id,
    external_id: row.external_id,
    display_name: row.display_name,
    status: row.status,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

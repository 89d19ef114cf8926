import type { TenantRuntime } from '@recsys/contracts-admin';
import type { Kysely } from 'kysely';
import * as repo from '../db/document.repository.js';
import type { AdminDatabase } from '../db/schema.js';
import { documentEtag } from './etag.js';
import { resolveTenant } from './tenants.js';

/** What serving and ingest need of a tenant, with an ETag over the whole view. */
export async function getRuntime(
  db: Kysely<AdminDatabase>,
  ref: string,
): Promise<{ body: TenantRuntime; etag: string }> {
  const tenant = await resolveTenant(db, ref);
  const [config, rules] = await Promise.all([
    repo.currentVersion(db, 'config', tenant.id),
    repo.currentVersion(db, 'rules', tenant.id),
  ]);
  const body = {
    tenant: { id: tenant.id, external_id: tenant.external_id, status: tenant.status },
    config: config ? { version: config.etag, document: config.document } : null,
    rules: rules ? { version: rules.etag, document: rules.document } : null,
  } as TenantRuntime;
  const etag = documentEtag({
    tenant: body.tenant,
    config: config?.etag ?? null,
    rules: rules?.etag ?? null,
  });
  return { body, etag };
}

import type { Kysely } from 'kysely';
import * as documentsRepo from '../db/document.repository.js';
import type { AdminDatabase } from '../db/schema.js';
import * as tenantsRepo from '../db/tenant.repository.js';
import { recordAudit, type Actor } from './audit.js';
import type { ControlPublisher } from './control.js';
import { writeDocument } from './documents.js';
import { issueBootstrapKey, type IssuedKey, type KeyOptions } from './keys.js';
import { toTenant } from './tenants.js';

/** Config a bootstrapped tenant starts with: popularity only, the reference's limits. */
export const DEFAULT_CONFIG = {
  algo: 'blend',
  weights: { pop: 1, cooc: 0, emb: 0 },
  flags: {},
  limits: { max_k: 200, max_exclude_ids: 200 },
};

export interface BootstrapResult {
  tenantCreated: boolean;
  tenant: ReturnType<typeof toTenant>;
  configVersion: string;
  rulesVersion: string;
  /** Present only when a key was issued on this run (a tenant without any key yet, or newKey). */
  key?: IssuedKey;
}

/**
 * Idempotent: creates the tenant if missing, a default config and empty rules if the tenant has none, and
 * a first admin key only when the tenant has never had a key (or when newKey is set). A run interrupted
 * after creating the tenant therefore still hands out the first key on the next run, and only once.
 */
export async function bootstrapTenant(
  deps: { db: Kysely<AdminDatabase>; control: ControlPublisher; keyOptions: KeyOptions },
  input: { tenant: string; displayName?: string; newKey?: boolean },
  actor: Actor = { sub: 'cli:bootstrap', type: 'system' },
): Promise<BootstrapResult> {
  const { db, control } = deps;
  let created = false;
  let row = await tenantsRepo.findTenant(db, input.tenant);
  if (!row) {
    row = await db.transaction().execute(async (trx) => {
      const inserted = await tenantsRepo.insertTenant(trx, input.tenant, input.displayName ?? input.tenant);
      if (!inserted) return (await tenantsRepo.findTenant(trx, input.tenant))!;
      created = true;
      await recordAudit(trx, inserted.id, actor, {
        action: 'tenant.create',
        entityType: 'tenant',
        entityId: inserted.id,
        after: toTenant(inserted),
      });
      return inserted;
    });
  }
  const ensure = async (kind: 'config' | 'rules', document: unknown) => {
    const current = await documentsRepo.currentVersion(db, kind, row.id);
    if (current) return current.etag;
    return (await writeDocument(db, control, kind, row.external_id, document, {}, actor)).version;
  };
  const configVersion = await ensure('config', DEFAULT_CONFIG);
  const rulesVersion = await ensure('rules', []);
  const key = await issueBootstrapKey(
    db,
    deps.keyOptions,
    row.id,
    row.external_id,
    actor,
    input.newKey ?? false,
  );
  return {
    tenantCreated: created,
    tenant: toTenant(row),
    configVersion,
    rulesVersion,
    ...(key ? { key } : {}),
  };
}

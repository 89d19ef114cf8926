import type { Kysely } from 'kysely';
import type { AdminDatabase } from '../db/schema.js';
import * as repo from '../db/document.repository.js';
import { recordAudit, type Actor } from './audit.js';
import { AdminCodes, adminProblems } from './codes.js';
import type { ControlPublisher } from './control.js';
import { documentEtag, ifNoneMatchHits } from './etag.js';
import { resolveTenant } from './tenants.js';
import { validateConfig, validateRules, type DocumentKind } from './validation.js';
import { AppError } from '@recsys/platform/problem';

export type { DocumentKind };

export interface CurrentDocument {
  version: string;
  document: unknown;
}

export interface WriteResult extends CurrentDocument {
  changed: boolean;
}

const ENTITY_TYPE: Record<DocumentKind, string> = { config: 'tenant_config', rules: 'tenant_rules' };

/** Throws 422 for an invalid document of the kind. */
export function validateDocument(kind: DocumentKind, raw: unknown): void {
  if (kind === 'config') validateConfig(raw);
  else validateRules(raw);
}

export async function getCurrent(
  db: Kysely<AdminDatabase>,
  kind: DocumentKind,
  ref: string,
): Promise<CurrentDocument> {
  const tenant = await resolveTenant(db, ref);
  const row = await repo.currentVersion(db, kind, tenant.id);
  if (!row) {
    throw new AppError({
      code: kind === 'config' ? AdminCodes.CONFIG_NOT_FOUND : AdminCodes.RULES_NOT_FOUND,
      status: 404,
      detail: `tenant has no ${kind}`,
    });
  }
  return { version: row.etag, document: row.document };
}

/** Conditions a write is based on: `ifMatch` (parsed ETag) and the raw `If-None-Match` header. */
export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

/**
 * Makes `document` the current version (reference semantics): If-Match must equal the current ETag when given
 * (and a current document must exist); If-None-Match `*` refuses when any current document exists (a tag list:
 * when the current one is listed); identical content is a no-op without audit or event; content equal to an
 * older version re-uses that version (a rollback to its ETag).
 */
export async function writeDocument(
  db: Kysely<AdminDatabase>,
  control: ControlPublisher,
  kind: DocumentKind,
  ref: string,
  document: unknown,
  conditions: Preconditions,
  actor: Actor,
  action: 'update' | 'rollback' = 'update',
): Promise<WriteResult> {
  validateDocument(kind, document);
  const etag = documentEtag(document);
  const { ifMatch, ifNoneMatch } = conditions;
  const result = await db.transaction().execute(async (trx) => {
    const tenant = await resolveTenant(trx, ref, true);
    const current = await repo.currentVersion(trx, kind, tenant.id);
    if (ifMatch !== undefined) {
      if (!current) throw adminProblems.versionMismatch(`tenant has no ${kind}; If-Match cannot match`);
      if (current.etag !== ifMatch) throw adminProblems.versionMismatch();
    }
    if (current && ifNoneMatchHits(ifNoneMatch, current.etag)) {
      throw adminProblems.versionMismatch(
        ifNoneMatch?.trim() === '*'
          ? `tenant already has ${kind} (If-None-Match: *)`
          : 'If-None-Match names the current version',
      );
    }
    if (current?.etag === etag) return { tenant, version: current, changed: false };
    const version = await repo.upsertVersion(trx, kind, tenant.id, document, etag, actor.sub);
    await repo.setCurrent(trx, kind, tenant.id, version.id, actor.sub);
    await recordAudit(trx, tenant.id, actor, {
      action: `${kind}.${action}`,
      entityType: ENTITY_TYPE[kind],
      entityId: version.id,
      before: current?.document ?? null,
      after: version.document,
      extra: { version: etag, previous_version: current?.etag ?? null },
    });
    return { tenant, version, changed: true };
  });
  if (result.changed) {
    await control.publish({
      type: kind === 'config' ? 'config.updated' : 'rules.updated',
      tenant_id: result.tenant.external_id,
      version: etag,
    });
  }
  return { version: result.version.etag, document: result.version.document, changed: result.changed };
}

/** Makes a named earlier version (its ETag) current again. */
export async function rollback(
  db: Kysely<AdminDatabase>,
  control: ControlPublisher,
  kind: DocumentKind,
  ref: string,
  version: string,
  ifMatch: string | undefined,
  actor: Actor,
): Promise<WriteResult> {
  const tenant = await resolveTenant(db, ref);
  const row = await repo.findVersion(db, kind, tenant.id, version.toLowerCase());
  if (!row) {
    throw new AppError({
      code: AdminCodes.VERSION_NOT_FOUND,
      status: 404,
      detail: `${kind} version "${version}" not found`,
    });
  }
  return writeDocument(db, control, kind, ref, row.document, { ifMatch }, actor, 'rollback');
}

export async function listVersions(
  db: Kysely<AdminDatabase>,
  kind: DocumentKind,
  ref: string,
  limit: number,
) {
  const tenant = await resolveTenant(db, ref);
  const [current, rows] = await Promise.all([
    repo.currentVersion(db, kind, tenant.id),
    repo.listVersions(db, kind, tenant.id, limit),
  ]);
  return {
    current_version: current?.etag ?? null,
    versions: rows.map((row) => ({
      version: row.etag,
      created_at: row.created_at.toISOString(),
      created_by: row.created_by,
      current: row.etag === current?.etag,
    })),
  };
}

/** 404 unless the tenant exists (dry runs validate against an existing tenant only). */
export async function getTenantOrThrow(db: Kysely<AdminDatabase>, ref: string): Promise<void> {
  await resolveTenant(db, ref);
}

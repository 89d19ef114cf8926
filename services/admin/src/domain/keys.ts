import type { ApiKey } from '@recsys/contracts-admin';
import type { VerifiedKey } from '@recsys/platform/auth';
import { AppError, problems } from '@recsys/platform/problem';
import type { Kysely } from 'kysely';
import * as repo from '../db/api-key.repository.js';
import type { AdminDatabase } from '../db/schema.js';
import { generateApiKey, hashApiKey, hashesEqual, keyPrefixOf } from './api-key-format.js';
import { recordAudit, type Actor } from './audit.js';
import { AdminCodes, adminProblems } from './codes.js';
import type { ControlPublisher } from './control.js';
import { resolveTenant } from './tenants.js';

export interface IssuedKey {
  key: ApiKey;
  api_key: string;
}

export interface KeyOptions {
  hashSecret: string;
  /** Role name that grants access to every tenant; only cross-tenant callers may hand it out. */
  crossTenantRole: string;
}

function toApiKey(row: repo.ApiKeyRow, tenantExternalId: string): ApiKey {
  return {
    id: row.id,
    tenant_id: tenantExternalId,
    name: row.name,
    prefix: `rk_${row.key_prefix}`,
    roles: row.roles,
    created_at: row.created_at.toISOString(),
    created_by: row.created_by,
    expires_at: row.expires_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
    last_used_at: row.last_used_at?.toISOString() ?? null,
  };
}

/** Audit view of a key: never the secret, never the hash. */
function auditView(key: ApiKey) {
  return { id: key.id, name: key.name, prefix: key.prefix, roles: key.roles, expires_at: key.expires_at };
}

/** 422 with a pointer when an explicit expiry is not in the future (the key would be dead on arrival). */
function assertFutureExpiry(expiresAt: string | undefined): void {
  if (expiresAt && Date.parse(expiresAt) <= Date.now()) {
    throw new AppError({
      code: 'RECSYS_UNPROCESSABLE_ENTITY',
      status: 422,
      detail: 'expires_at must be in the future',
      errors: [{ pointer: '/expires_at', in: 'body', message: 'must be in the future' }],
    });
  }
}

export async function createKey(
  db: Kysely<AdminDatabase>,
  options: KeyOptions,
  ref: string,
  input: { name: string; roles: string[]; expires_at?: string },
  actor: Actor & { crossTenant: boolean },
): Promise<IssuedKey> {
  const roles = [...new Set(input.roles.map((r) => r.toLowerCase()))];
  if (roles.includes(options.crossTenantRole) && !actor.crossTenant) {
    throw problems.forbidden(`only a cross-tenant admin may grant the ${options.crossTenantRole} role`);
  }
  assertFutureExpiry(input.expires_at);
  return db.transaction().execute(async (trx) => {
    const tenant = await resolveTenant(trx, ref);
    const issued = await issue(trx, options, tenant.id, tenant.external_id, {
      name: input.name,
      roles,
      expiresAt: input.expires_at ? new Date(input.expires_at) : null,
      createdBy: actor.sub,
    });
    await recordAudit(trx, tenant.id, actor, {
      action: 'key.create',
      entityType: 'api_key',
      entityId: issued.key.id,
      after: auditView(issued.key),
    });
    return issued;
  });
}

async function issue(
  db: Parameters<typeof repo.insertApiKey>[0],
  options: KeyOptions,
  tenantId: string,
  tenantExternalId: string,
  input: { name: string; roles: string[]; expiresAt: Date | null; createdBy: string },
): Promise<IssuedKey> {
  const { apiKey, prefix } = generateApiKey();
  const row = await repo.insertApiKey(db, {
    tenant_id: tenantId,
    name: input.name,
    key_prefix: prefix,
    key_hash: hashApiKey(apiKey, options.hashSecret),
    roles: input.roles,
    created_by: input.createdBy,
    expires_at: input.expiresAt,
  });
  return { key: toApiKey(row, tenantExternalId), api_key: apiKey };
}

export async function listKeys(db: Kysely<AdminDatabase>, ref: string): Promise<ApiKey[]> {
  const tenant = await resolveTenant(db, ref);
  return (await repo.listApiKeys(db, tenant.id)).map((row) => toApiKey(row, tenant.external_id));
}

function keyNotFound(id: string): AppError {
  return new AppError({ code: AdminCodes.KEY_NOT_FOUND, status: 404, detail: `api key ${id} not found` });
}

/** Revokes at once (idempotent) and publishes key.revoked so caching verifiers drop it. */
export async function revokeKey(
  db: Kysely<AdminDatabase>,
  control: ControlPublisher,
  ref: string,
  keyId: string,
  actor: Actor,
): Promise<ApiKey> {
  const { key, changed, tenant } = await db.transaction().execute(async (trx) => {
    const tenant = await resolveTenant(trx, ref);
    const row = await repo.findApiKey(trx, tenant.id, keyId, true);
    if (!row) throw keyNotFound(keyId);
    if (row.revoked_at) return { key: toApiKey(row, tenant.external_id), changed: false, tenant };
    const revoked = (await repo.revokeApiKey(trx, row.id))!;
    const key = toApiKey(revoked, tenant.external_id);
    await recordAudit(trx, tenant.id, actor, {
      action: 'key.revoke',
      entityType: 'api_key',
      entityId: key.id,
      before: auditView(toApiKey(row, tenant.external_id)),
      after: { ...auditView(key), revoked_at: key.revoked_at },
    });
    return { key, changed: true, tenant };
  });
  if (changed) await control.publish({ type: 'key.revoked', tenant_id: tenant.external_id, key_id: key.id });
  return key;
}

/** Issues a replacement with the same name and roles, then revokes the old key (one transaction). */
export async function rotateKey(
  db: Kysely<AdminDatabase>,
  control: ControlPublisher,
  options: KeyOptions,
  ref: string,
  keyId: string,
  input: { expires_at?: string },
  actor: Actor,
): Promise<IssuedKey> {
  assertFutureExpiry(input.expires_at);
  const { issued, tenant } = await db.transaction().execute(async (trx) => {
    const tenant = await resolveTenant(trx, ref);
    const row = await repo.findApiKey(trx, tenant.id, keyId, true);
    if (!row) throw keyNotFound(keyId);
    if (row.revoked_at) {
      throw new AppError({
        code: AdminCodes.KEY_REVOKED,
        status: 409,
        detail: 'a revoked key cannot be rotated',
      });
    }
    const issued = await issue(trx, options, tenant.id, tenant.external_id, {
      name: row.name,
      roles: row.roles,
      expiresAt: input.expires_at ? new Date(input.expires_at) : row.expires_at,
      createdBy: actor.sub,
    });
    await repo.revokeApiKey(trx, row.id, issued.key.id);
    await recordAudit(trx, tenant.id, actor, {
      action: 'key.rotate',
      entityType: 'api_key',
      entityId: row.id,
      before: auditView(toApiKey(row, tenant.external_id)),
      after: auditView(issued.key),
      extra: { replaced_by: issued.key.id },
    });
    return { issued, tenant };
  });
  await control.publish({ type: 'key.revoked', tenant_id: tenant.external_id, key_id: keyId });
  return issued;
}

/**
 * Resolves a presented key: null when malformed, unknown, revoked or expired; throws 403
 * RECSYS_TENANT_DISABLED when its tenant is disabled. The stored hash is compared in constant time, and
 * last_used_at is written at most once a minute per key (fire and forget).
 */
export async function verifyKey(
  db: Kysely<AdminDatabase>,
  hashSecret: string,
  apiKey: string,
  onTouchError: (error: unknown) => void = () => undefined,
): Promise<VerifiedKey | null> {
  const prefix = keyPrefixOf(apiKey);
  if (!prefix) return null;
  const row = await repo.findByPrefix(db, prefix);
  if (!row || !hashesEqual(row.key_hash, hashApiKey(apiKey, hashSecret))) return null;
  const now = Date.now();
  if (row.revoked_at || (row.expires_at && row.expires_at.getTime() <= now)) return null;
  if (row.tenant_status !== 'active') throw adminProblems.tenantDisabled();
  if (!row.last_used_at || now - row.last_used_at.getTime() >= 60_000) {
    repo.touchLastUsed(db, row.id).catch(onTouchError);
  }
  return {
    key_id: row.id,
    tenant_id: row.tenant_external_id,
    roles: row.roles,
    expires_at: row.expires_at?.toISOString() ?? null,
  };
}

/**
 * Used by the bootstrap command: a first admin key for a tenant that has never had one (or, with `force`, a
 * further one). The tenant row is locked, so concurrent bootstraps issue at most one first key.
 */
export async function issueBootstrapKey(
  db: Kysely<AdminDatabase>,
  options: KeyOptions,
  tenantId: string,
  tenantExternalId: string,
  actor: Actor,
  force = false,
): Promise<IssuedKey | undefined> {
  return db.transaction().execute(async (trx) => {
    await resolveTenant(trx, tenantExternalId, true);
    if (!force && (await repo.countApiKeys(trx, tenantId)) > 0) return undefined;
    const issued = await issue(trx, options, tenantId, tenantExternalId, {
      name: 'bootstrap admin',
      roles: ['admin'],
      expiresAt: null,
      createdBy: actor.sub,
    });
    await recordAudit(trx, tenantId, actor, {
      action: 'key.create',
      entityType: 'api_key',
      entityId: issued.key.id,
      after: auditView(issued.key),
    });
    return issued;
  });
}

import type { AuditEntry } from '@recsys/contracts-admin';
import * as repo from '../db/audit.repository.js';
import type { Db } from '../db/tenant.repository.js';
import { redactSecrets } from './redact.js';

/** Who performs a write and from where; every audit row carries it. */
export interface Actor {
  sub: string;
  type: 'user' | 'api_key' | 'service' | 'system';
  requestId?: string;
  ip?: string;
  userAgent?: string;
}

export const SYSTEM_ACTOR: Actor = { sub: 'system', type: 'system' };

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  extra?: unknown;
}

/** Appends one audit row (secrets redacted) in the caller's transaction. */
export async function recordAudit(
  db: Db,
  tenantId: string,
  actor: Actor,
  record: AuditRecord,
): Promise<void> {
  await repo.insertAudit(db, {
    tenant_id: tenantId,
    actor_sub: actor.sub,
    actor_type: actor.type,
    action: record.action,
    entity_type: record.entityType,
    entity_id: record.entityId,
    request_id: actor.requestId ?? null,
    ip: actor.ip ?? null,
    user_agent: actor.userAgent ?? null,
    before_state: redactSecrets(record.before ?? null),
    after_state: redactSecrets(record.after ?? null),
    extra: redactSecrets(record.extra ?? null),
  });
}

export interface AuditPageResult {
  entries: AuditEntry[];
  next_before?: string;
  next_before_id?: number;
}

/** One page, newest first; `withDetails` false hides before/after/extra (viewers). */
export async function listAudit(
  db: Db,
  tenantId: string,
  options: { limit: number; before?: string; beforeId?: number; withDetails: boolean },
): Promise<AuditPageResult> {
  const rows = await repo.listAudit(db, tenantId, {
    limit: options.limit,
    before: options.before ? new Date(options.before) : undefined,
    beforeId: options.beforeId,
  });
  const page = rows.slice(0, options.limit);
  const next = rows[options.limit];
  return {
    entries: page.map((row) => ({
      id: Number(row.id),
      occurred_at: row.occurred_at.toISOString(),
      tenant_id: row.tenant_external_id,
      actor_sub: row.actor_sub,
      actor_type: row.actor_type,
      action: row.action,
      entity_type: row.entity_type,
      entity_id: row.entity_id,
      request_id: row.request_id,
      ip: row.ip,
      user_agent: row.user_agent,
      ...(options.withDetails
        ? {
            ...(row.before_state !== null ? { before_state: row.before_state } : {}),
            ...(row.after_state !== null ? { after_state: row.after_state } : {}),
            ...(row.extra !== null ? { extra: row.extra } : {}),
          }
        : {}),
    })),
    ...(next ? { next_before: next.occurred_at.toISOString(), next_before_id: Number(next.id) } : {}),
  };
}

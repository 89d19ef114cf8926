import type { Db } from './tenant.repository.js';

export interface AuditInsert {
  tenant_id: string;
  actor_sub: string;
  actor_type: string;
  action: string;
  entity_type: string;
  entity_id: string;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  before_state: unknown;
  after_state: unknown;
  extra: unknown;
}

export interface AuditRow {
  id: string;
  occurred_at: Date;
  tenant_external_id: string;
  actor_sub: string;
  actor_type: string;
  action: string;
  entity_type: string;
  entity_id: string;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  before_state: unknown;
  after_state: unknown;
  extra: unknown;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function insertAudit(db: Db, entry: AuditInsert): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      ...entry,
      before_state: json(entry.before_state),
      after_state: json(entry.after_state),
      extra: json(entry.extra),
    })
    .execute();
}

/**
 * Newest first, keyset on (occurred_at, id). As in the reference, the cursor names the first row of the next
 * page (the row beyond the previous page), so that row is included: occurred_at < before, or equal with
 * id <= before_id. Fetches limit + 1 to find the next cursor.
 */
export async function listAudit(
  db: Db,
  tenantId: string,
  options: { limit: number; before?: Date; beforeId?: number },
): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_log as a')
    .innerJoin('tenants as t', 't.id', 'a.tenant_id')
    .select([
      'a.id',
      'a.occurred_at',
      't.external_id as tenant_external_id',
      'a.actor_sub',
      'a.actor_type',
      'a.action',
      'a.entity_type',
      'a.entity_id',
      'a.request_id',
      'a.ip',
      'a.user_agent',
      'a.before_state',
      'a.after_state',
      'a.extra',
    ])
    .where('a.tenant_id', '=', tenantId);
  const { before, beforeId } = options;
  if (before && beforeId !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('a.occurred_at', '<', before),
        eb.and([eb('a.occurred_at', '=', before), eb('a.id', '<=', String(beforeId))]),
      ]),
    );
  } else if (before) {
    query = query.where('a.occurred_at', '<', before);
  } else if (beforeId !== undefined) {
    query = query.where('a.id', '<=', String(beforeId));
  }
  return query
    .orderBy('a.occurred_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(options.limit + 1)
    .execute();
}

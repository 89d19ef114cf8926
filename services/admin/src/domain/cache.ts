import { CacheTarget } from '@recsys/contracts-admin';
import type { Kysely } from 'kysely';
import type { AdminDatabase } from '../db/schema.js';
import { recordAudit, type Actor } from './audit.js';
import { AdminCodes, adminProblems } from './codes.js';
import type { ControlPublisher } from './control.js';
import { resolveTenant } from './tenants.js';

/** Trims, lower-cases and de-duplicates targets; 400 when none remain, 422 for an unknown target. */
export function normalizeTargets(targets: string[]): CacheTarget[] {
  const normalized = [...new Set(targets.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (normalized.length === 0) {
    throw adminProblems.invalid(AdminCodes.INVALID_TARGETS, 400, 'targets are required', [
      { pointer: '/targets', in: 'body', message: 'targets are required' },
    ]);
  }
  const allowed = CacheTarget.options as readonly string[];
  normalized.forEach((target) => {
    if (!allowed.includes(target)) {
      throw adminProblems.invalid(
        AdminCodes.INVALID_TARGETS,
        422,
        `invalid cache invalidation target: ${target}`,
        [
          {
            pointer: `/targets/${targets.findIndex((t) => t.trim().toLowerCase() === target)}`,
            in: 'body',
            message: `must be one of ${allowed.join(', ')}`,
          },
        ],
      );
    }
  });
  return normalized as CacheTarget[];
}

export async function invalidateCache(
  db: Kysely<AdminDatabase>,
  control: ControlPublisher,
  ref: string,
  input: { targets: string[]; surface?: string },
  actor: Actor,
) {
  const targets = normalizeTargets(input.targets);
  const tenant = await db.transaction().execute(async (trx) => {
    const tenant = await resolveTenant(trx, ref);
    const row = await trx
      .insertInto('cache_invalidations')
      .values({
        tenant_id: tenant.id,
        request_id: actor.requestId ?? null,
        requested_by: actor.sub,
        targets,
        surface: input.surface ?? null,
        status: 'applied',
        applied_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, tenant.id, actor, {
      action: 'cache.invalidate',
      entityType: 'cache_invalidation',
      entityId: String(row.id),
      after: { targets, ...(input.surface ? { surface: input.surface } : {}), status: 'applied' },
    });
    return tenant;
  });
  await control.publish({
    type: 'cache.invalidated',
    tenant_id: tenant.external_id,
    targets,
    ...(input.surface ? { surface: input.surface } : {}),
  });
  return {
    targets,
    ...(input.surface ? { surface: input.surface } : {}),
    status: 'applied' as const,
    invalidated: Object.fromEntries(targets.map((t) => [t, 1])),
  };
}

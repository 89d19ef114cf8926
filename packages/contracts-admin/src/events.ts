/** Control stream payloads (`recsys.control.v1`): admin produces, serving and ingest consume. */
import { Timestamp, z } from '@recsys/contract-kit';

/** Stream admin produces: config/rules updates, cache invalidation, tenant disabled/enabled, key revoked. */
export const CONTROL_STREAM = 'recsys.control.v1';

/** Every control event names the tenant by its external id. */
const tenantId = z.string().min(1).meta({ description: 'Tenant external id.' });

export const CacheTarget = z.enum(['config', 'rules', 'popularity']).meta({ id: 'CacheTarget' });
export type CacheTarget = z.output<typeof CacheTarget>;

export const ConfigUpdatedEvent = z
  .object({ type: z.literal('config.updated'), tenant_id: tenantId, version: z.string(), at: Timestamp })
  .meta({ id: 'ConfigUpdatedEvent' });
export const RulesUpdatedEvent = z
  .object({ type: z.literal('rules.updated'), tenant_id: tenantId, version: z.string(), at: Timestamp })
  .meta({ id: 'RulesUpdatedEvent' });
export const CacheInvalidatedEvent = z
  .object({
    type: z.literal('cache.invalidated'),
    tenant_id: tenantId,
    targets: z.array(CacheTarget),
    surface: z.string().optional(),
    at: Timestamp,
  })
  .meta({ id: 'CacheInvalidatedEvent' });
export const TenantDisabledEvent = z
  .object({ type: z.literal('tenant.disabled'), tenant_id: tenantId, at: Timestamp })
  .meta({ id: 'TenantDisabledEvent' });
export const TenantEnabledEvent = z
  .object({ type: z.literal('tenant.enabled'), tenant_id: tenantId, at: Timestamp })
  .meta({ id: 'TenantEnabledEvent' });
export const KeyRevokedEvent = z
  .object({ type: z.literal('key.revoked'), tenant_id: tenantId, key_id: z.string(), at: Timestamp })
  .meta({ id: 'KeyRevokedEvent' });

/** One entry of the control stream; the stream entry's `type` field equals the payload's `type`. */
export const ControlEvent = z
  .discriminatedUnion('type', [
    ConfigUpdatedEvent,
    RulesUpdatedEvent,
    CacheInvalidatedEvent,
    TenantDisabledEvent,
    TenantEnabledEvent,
    KeyRevokedEvent,
  ])
  .meta({ id: 'ControlEvent' });
export type ControlEvent = z.output<typeof ControlEvent>;
export type ControlEventType = ControlEvent['type'];

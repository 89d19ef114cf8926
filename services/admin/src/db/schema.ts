import type { ColumnType, Generated } from 'kysely';

/** Row types of admin's own schema; kept in step with src/db/migrations. */
export interface TenantsTable {
  id: Generated<string>;
  external_id: string;
  display_name: string;
  status: Generated<'active' | 'disabled'>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

/** Append-only: one row per distinct document content of a tenant. */
export interface VersionsTable {
  id: Generated<string>;
  tenant_id: string;
  document: ColumnType<unknown, string, never>;
  etag: string;
  created_at: ColumnType<Date, never, never>;
  created_by: string;
}

export interface CurrentTable {
  tenant_id: string;
  version_id: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  updated_by: string;
}

export interface ApiKeysTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  key_prefix: string;
  key_hash: string;
  roles: string[];
  created_at: ColumnType<Date, never, never>;
  created_by: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  replaced_by: string | null;
}

/** Append-only. */
export interface AuditLogTable {
  id: Generated<string>;
  occurred_at: ColumnType<Date, never, never>;
  tenant_id: string;
  actor_sub: string;
  actor_type: string;
  action: string;
  entity_type: string;
  entity_id: string;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  before_state: ColumnType<unknown, string | null, never>;
  after_state: ColumnType<unknown, string | null, never>;
  extra: ColumnType<unknown, string | null, never>;
}

export interface CacheInvalidationsTable {
  id: Generated<string>;
  tenant_id: string;
  request_id: string | null;
  requested_at: ColumnType<Date, never, never>;
  requested_by: string;
  targets: string[];
  surface: string | null;
  status: 'requested' | 'applied' | 'failed';
  applied_at: Date | null;
}

export interface AdminDatabase {
  tenants: TenantsTable;
  config_versions: VersionsTable;
  config_current: CurrentTable;
  rules_versions: VersionsTable;
  rules_current: CurrentTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  cache_invalidations: CacheInvalidationsTable;
}

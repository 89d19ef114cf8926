/** Wire contract of the admin control plane (port 8001). */
import { defineRoute, opsRoutes, problemResponses, TenantId, Timestamp, z } from '@recsys/contract-kit';
import { RulesDocument, TenantConfig, NormalizedRule } from './documents.js';
import { CacheTarget, ControlEvent } from './events.js';

export * from './documents.js';
export * from './events.js';

const ADMIN = ['apiKey', 'bearer', 'serviceToken'] as const;
const INTERNAL = ['serviceToken'] as const;

// ---- tenants -------------------------------------------------------------------------------------------------

export const TenantSchema = z
  .object({
    id: z.uuid().meta({ description: 'Internal UUID.' }),
    external_id: TenantId,
    display_name: z.string(),
    status: z.enum(['active', 'disabled']),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Tenant' });
export type Tenant = z.output<typeof TenantSchema>;

/** Free text that is stored: Postgres cannot hold U+0000 or unpaired surrogates. */
const StoredText = z
  .string()
  .refine(
    (v) =>
      !v.includes('\u0000') &&
      !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v),
    {
      message: 'must not contain NUL or unpaired surrogate characters',
    },
  );

/** A new tenant's external id: a storable path segment without whitespace or commas (tenant headers forbid both). */
export const NewTenantId = TenantId.refine((v) => !/[\s,]/.test(v), {
  message: 'must not contain whitespace or commas',
}).pipe(StoredText);

export const CreateTenantBody = z
  .strictObject({
    external_id: NewTenantId,
    display_name: z.string().trim().min(1, 'must not be empty').max(200).pipe(StoredText),
  })
  .meta({ id: 'CreateTenantRequest' });

export const TenantParams = z.object({
  tenant_id: TenantId.meta({ description: 'Tenant external id or internal UUID.' }),
});

export const createTenant = defineRoute({
  operationId: 'createTenant',
  method: 'post',
  path: '/v1/admin/tenants',
  summary: 'Create a tenant (cross-tenant admin).',
  tags: ['tenants'],
  security: [...ADMIN],
  request: { body: CreateTenantBody },
  responses: {
    201: { description: 'Created.', body: TenantSchema },
    ...problemResponses(400, 401, 403, 409, 413, 415),
  },
});

export const listTenants = defineRoute({
  operationId: 'listTenants',
  method: 'get',
  path: '/v1/admin/tenants',
  summary: 'List tenants (cross-tenant admin).',
  tags: ['tenants'],
  security: [...ADMIN],
  responses: {
    200: {
      description: 'Tenants.',
      body: z.object({ tenants: z.array(TenantSchema) }).meta({ id: 'TenantList' }),
    },
    ...problemResponses(401, 403),
  },
});

export const getTenant = defineRoute({
  operationId: 'getTenant',
  method: 'get',
  path: '/v1/admin/tenants/{tenant_id}',
  summary: 'Get a tenant.',
  tags: ['tenants'],
  security: [...ADMIN],
  request: { params: TenantParams },
  responses: { 200: { description: 'Tenant.', body: TenantSchema }, ...problemResponses(401, 403, 404) },
});

export const disableTenant = defineRoute({
  operationId: 'disableTenant',
  method: 'post',
  path: '/v1/admin/tenants/{tenant_id}/disable',
  summary: 'Disable a tenant: every service refuses its credentials (control event `tenant.disabled`).',
  tags: ['tenants'],
  security: [...ADMIN],
  request: { params: TenantParams },
  responses: { 200: { description: 'Tenant.', body: TenantSchema }, ...problemResponses(401, 403, 404) },
});

export const enableTenant = defineRoute({
  operationId: 'enableTenant',
  method: 'post',
  path: '/v1/admin/tenants/{tenant_id}/enable',
  summary: 'Re-enable a disabled tenant (control event `tenant.enabled`).',
  tags: ['tenants'],
  security: [...ADMIN],
  request: { params: TenantParams },
  responses: { 200: { description: 'Tenant.', body: TenantSchema }, ...problemResponses(401, 403, 404) },
});

// ---- config and rules ----------------------------------------------------------------------------------------

export const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .meta({ description: 'ETag the write is based on (quoted or not); mismatch → 409.' }),
});

/** PUT preconditions: `If-Match` as above, and `If-None-Match` (`*` or a tag list) to refuse overwriting. */
export const PutDocumentHeaders = IfMatchHeaders.extend({
  'if-none-match': z.string().optional().meta({
    description:
      '`*`: write only if the tenant has no document of this kind yet; a tag list: only if the current version is none of them. Otherwise 409.',
  }),
});

const EtagHeader = z.object({ ETag: z.string().meta({ description: 'Current version (unquoted).' }) });

export const ConfigResponse = z
  .object({ tenant_id: z.string(), config_version: z.string(), config: TenantConfig })
  .meta({ id: 'ConfigResponse' });
export type ConfigResponse = z.output<typeof ConfigResponse>;

export const RulesResponse = z
  .object({ tenant_id: z.string(), rules_version: z.string(), rules: RulesDocument })
  .meta({ id: 'RulesResponse' });
export type RulesResponse = z.output<typeof RulesResponse>;

export const ValidateConfigResponse = z
  .object({ valid: z.literal(true), config: TenantConfig, warnings: z.array(z.string()) })
  .meta({ id: 'ValidateConfigResponse' });

export const ValidateRulesResponse = z
  .object({
    valid: z.literal(true),
    rules: z.array(NormalizedRule),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'ValidateRulesResponse' });

export const DocumentVersion = z
  .object({
    version: z.string().meta({ description: 'ETag of this version.' }),
    created_at: Timestamp,
    created_by: z.string(),
    current: z.boolean(),
  })
  .meta({ id: 'DocumentVersion' });

export const VersionList = z
  .object({
    tenant_id: z.string(),
    current_version: z.string().nullable(),
    versions: z.array(DocumentVersion),
  })
  .meta({ id: 'DocumentVersionList' });

export const VersionsQuery = z.object({
  limit: z.coerce.number().int('must be an integer').min(1, 'must be positive').max(500).default(50),
});

export const RollbackBody = z
  .strictObject({
    version: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be a version (64 hex characters) from the version history'),
  })
  .meta({ id: 'RollbackRequest' });

function documentRoutes<K extends 'config' | 'rules'>(kind: K) {
  const Kind = kind === 'config' ? 'Config' : 'Rules';
  const base = `/v1/admin/tenants/{tenant_id}/${kind}` as const;
  const body = kind === 'config' ? TenantConfig : RulesDocument;
  const response = kind === 'config' ? ConfigResponse : RulesResponse;
  const write = problemResponses(400, 401, 403, 404, 409, 413, 415, 422);
  return {
    get: defineRoute({
      operationId: `get${Kind}`,
      method: 'get',
      path: base,
      summary: `Current ${kind} document with its ETag.`,
      tags: [kind],
      security: [...ADMIN],
      request: { params: TenantParams },
      responses: {
        200: { description: 'Current document.', body: response, headers: EtagHeader },
        ...problemResponses(401, 403, 404),
      },
    }),
    put: defineRoute({
      operationId: `put${Kind}`,
      method: 'put',
      path: base,
      summary: `Replace the ${kind} document (new version; identical content is a no-op; older content = rollback).`,
      tags: [kind],
      security: [...ADMIN],
      request: { params: TenantParams, headers: PutDocumentHeaders, body },
      responses: { 200: { description: 'Now current.', body: response, headers: EtagHeader }, ...write },
    }),
    validate: defineRoute({
      operationId: `validate${Kind}`,
      method: 'post',
      path: `${base}/validate`,
      summary: `Dry run: validate and normalise a ${kind} document without saving it.`,
      tags: [kind],
      security: [...ADMIN],
      request: { params: TenantParams, body },
      responses: {
        200: {
          description: 'Valid.',
          body: kind === 'config' ? ValidateConfigResponse : ValidateRulesResponse,
        },
        ...problemResponses(400, 401, 403, 404, 413, 415, 422),
      },
    }),
    versions: defineRoute({
      operationId: `list${Kind}Versions`,
      method: 'get',
      path: `${base}/versions`,
      summary: `Version history of the ${kind} document, newest first.`,
      tags: [kind],
      security: [...ADMIN],
      request: { params: TenantParams, query: VersionsQuery },
      responses: {
        200: { description: 'Versions.', body: VersionList },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    rollback: defineRoute({
      operationId: `rollback${Kind}`,
      method: 'post',
      path: `${base}/rollback`,
      summary: `Make a named earlier ${kind} version current again.`,
      tags: [kind],
      security: [...ADMIN],
      request: { params: TenantParams, headers: IfMatchHeaders, body: RollbackBody },
      responses: { 200: { description: 'Now current.', body: response, headers: EtagHeader }, ...write },
    }),
  };
}

export const configRoutes = documentRoutes('config');
export const rulesRoutes = documentRoutes('rules');

// ---- cache invalidation --------------------------------------------------------------------------------------

export const InvalidateCacheBody = z
  .strictObject({
    targets: z.array(z.string()).meta({ description: '`config`, `rules` and/or `popularity`.' }),
    surface: z.string().trim().min(1).max(128).pipe(StoredText).optional(),
  })
  .meta({ id: 'InvalidateCacheRequest' });

export const InvalidateCacheResponse = z
  .object({
    tenant_id: z.string(),
    targets: z.array(CacheTarget),
    surface: z.string().optional(),
    status: z.literal('applied'),
    invalidated: z.record(z.string(), z.number().int()),
  })
  .meta({ id: 'InvalidateCacheResponse' });

export const invalidateCache = defineRoute({
  operationId: 'invalidateCache',
  method: 'post',
  path: '/v1/admin/tenants/{tenant_id}/cache/invalidate',
  summary: 'Tell every service to drop cached config, rules or popularity for the tenant (control event).',
  tags: ['cache'],
  security: [...ADMIN],
  request: { params: TenantParams, body: InvalidateCacheBody },
  responses: {
    200: { description: 'Applied.', body: InvalidateCacheResponse },
    ...problemResponses(400, 401, 403, 404, 415, 422),
  },
});

// ---- audit ---------------------------------------------------------------------------------------------------

export const AuditQuery = z.object({
  limit: z.coerce
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .positive('must be positive')
    .transform((v) => Math.min(v, 200))
    .default(100),
  before: Timestamp.optional(),
  before_id: z.coerce
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .min(0, 'must be non-negative')
    .optional(),
});

export const AuditEntry = z
  .object({
    id: z.number().int(),
    occurred_at: Timestamp,
    tenant_id: z.string(),
    actor_sub: z.string(),
    actor_type: z.string(),
    action: z.string(),
    entity_type: z.string(),
    entity_id: z.string(),
    request_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    before_state: z.unknown().optional(),
    after_state: z.unknown().optional(),
    extra: z.unknown().optional(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.output<typeof AuditEntry>;

export const AuditPage = z
  .object({
    tenant_id: z.string(),
    entries: z.array(AuditEntry),
    next_before: Timestamp.optional(),
    next_before_id: z.number().int().optional(),
  })
  .meta({ id: 'AuditPage' });

export const listAudit = defineRoute({
  operationId: 'listAudit',
  method: 'get',
  path: '/v1/admin/tenants/{tenant_id}/audit',
  summary: 'Audit log, newest first (keyset paging). Viewers get metadata only.',
  tags: ['audit'],
  security: [...ADMIN],
  request: { params: TenantParams, query: AuditQuery },
  responses: { 200: { description: 'Page.', body: AuditPage }, ...problemResponses(400, 401, 403, 404) },
});

// ---- API keys ------------------------------------------------------------------------------------------------

export const ApiKeyRole = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9_:.-]{0,63}$/, 'must be a role name such as viewer, operator or admin')
  .meta({ id: 'ApiKeyRole' });

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    tenant_id: z.string().meta({ description: 'Tenant external id.' }),
    name: z.string(),
    prefix: z.string().meta({ description: 'Visible part of the key: `rk_<prefix>_…`.' }),
    roles: z.array(z.string()),
    created_at: Timestamp,
    created_by: z.string(),
    expires_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.output<typeof ApiKeySchema>;

export const CreateApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200).pipe(StoredText),
    roles: z.array(ApiKeyRole).min(1, 'must not be empty'),
    expires_at: Timestamp.optional(),
  })
  .meta({ id: 'CreateApiKeyRequest' });

export const RotateApiKeyBody = z
  .strictObject({ expires_at: Timestamp.optional() })
  .meta({ id: 'RotateApiKeyRequest' });

export const IssuedApiKey = z
  .object({
    key: ApiKeySchema,
    api_key: z.string().meta({ description: 'The secret, shown only in this response.' }),
  })
  .meta({ id: 'IssuedApiKey' });

export const KeyParams = z.object({ tenant_id: TenantId, key_id: z.uuid() });

export const createApiKey = defineRoute({
  operationId: 'createApiKey',
  method: 'post',
  path: '/v1/admin/tenants/{tenant_id}/keys',
  summary: 'Issue an API key for the tenant; the secret appears only in this response.',
  tags: ['keys'],
  security: [...ADMIN],
  request: { params: TenantParams, body: CreateApiKeyBody },
  responses: {
    201: { description: 'Issued.', body: IssuedApiKey },
    ...problemResponses(400, 401, 403, 404, 415, 422),
  },
});

export const listApiKeys = defineRoute({
  operationId: 'listApiKeys',
  method: 'get',
  path: '/v1/admin/tenants/{tenant_id}/keys',
  summary: 'The tenant’s API keys (never their secrets).',
  tags: ['keys'],
  security: [...ADMIN],
  request: { params: TenantParams },
  responses: {
    200: { description: 'Keys.', body: z.object({ keys: z.array(ApiKeySchema) }).meta({ id: 'ApiKeyList' }) },
    ...problemResponses(401, 403, 404),
  },
});

export const revokeApiKey = defineRoute({
  operationId: 'revokeApiKey',
  method: 'post',
  path: '/v1/admin/tenants/{tenant_id}/keys/{key_id}/revoke',
  summary: 'Revoke a key at once (control event `key.revoked`). Idempotent.',
  tags: ['keys'],
  security: [...ADMIN],
  request: { params: KeyParams },
  responses: {
    200: { description: 'Revoked.', body: ApiKeySchema },
    ...problemResponses(400, 401, 403, 404),
  },
});

export const rotateApiKey = defineRoute({
  operationId: 'rotateApiKey',
  method: 'post',
  path: '/v1/admin/tenants/{tenant_id}/keys/{key_id}/rotate',
  summary: 'Issue a replacement with the same name and roles and revoke the old key.',
  tags: ['keys'],
  security: [...ADMIN],
  request: { params: KeyParams, body: RotateApiKeyBody },
  responses: {
    201: { description: 'Replacement issued.', body: IssuedApiKey },
    ...problemResponses(400, 401, 403, 404, 409, 415),
  },
});

// ---- internal ------------------------------------------------------------------------------------------------

export const VerifyKeyBody = z.strictObject({ api_key: z.string().min(1) }).meta({ id: 'VerifyKeyRequest' });

export const VerifiedKeySchema = z
  .object({
    key_id: z.string(),
    tenant_id: z.string().meta({ description: 'Tenant external id.' }),
    roles: z.array(z.string()),
    expires_at: Timestamp.nullable(),
  })
  .meta({ id: 'VerifiedKey' });

export const verifyApiKey = defineRoute({
  operationId: 'verifyApiKey',
  method: 'post',
  path: '/internal/v1/keys/verify',
  summary: 'Resolve an API key to its tenant and roles (401 unknown/revoked/expired; 403 tenant disabled).',
  tags: ['internal'],
  security: [...INTERNAL],
  request: { body: VerifyKeyBody },
  responses: {
    200: { description: 'Valid key.', body: VerifiedKeySchema },
    ...problemResponses(400, 401, 403),
  },
});

export const TenantRuntime = z
  .object({
    tenant: z.object({ id: z.uuid(), external_id: z.string(), status: z.enum(['active', 'disabled']) }),
    config: z.object({ version: z.string(), document: TenantConfig }).nullable(),
    rules: z.object({ version: z.string(), document: RulesDocument }).nullable(),
  })
  .meta({ id: 'TenantRuntime' });
export type TenantRuntime = z.output<typeof TenantRuntime>;

export const getTenantRuntime = defineRoute({
  operationId: 'getTenantRuntime',
  method: 'get',
  path: '/internal/v1/tenants/{tenant_id}/runtime',
  summary: 'Tenant status with its current config and rules, for serving and ingest (ETag / If-None-Match).',
  tags: ['internal'],
  security: [...INTERNAL],
  request: {
    params: TenantParams,
    headers: z.object({ 'if-none-match': z.string().optional() }),
  },
  responses: {
    200: { description: 'Runtime view.', body: TenantRuntime, headers: EtagHeader },
    304: { description: 'Unchanged since the ETag in If-None-Match.' },
    ...problemResponses(401, 404),
  },
});

export const adminRoutes = [
  ...opsRoutes,
  createTenant,
  listTenants,
  getTenant,
  disableTenant,
  enableTenant,
  ...Object.values(configRoutes),
  ...Object.values(rulesRoutes),
  invalidateCache,
  listAudit,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  verifyApiKey,
  getTenantRuntime,
] as const;

/** Non-HTTP schemas of admin's contract (stream payloads). */
export const adminSchemas = { ControlEvent };

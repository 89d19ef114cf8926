// Generated from services/admin/openapi.json by @recsys/codegen. Do not edit.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process is up. */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness with per-dependency detail; 503 when a required dependency is down. */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/detailed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every check with latency, always 200. */
        get: operations["healthDetailed"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics in text exposition format. */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List tenants (cross-tenant admin). */
        get: operations["listTenants"];
        put?: never;
        /** Create a tenant (cross-tenant admin). */
        post: operations["createTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a tenant. */
        get: operations["getTenant"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable a tenant: every service refuses its credentials (control event `tenant.disabled`). */
        post: operations["disableTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-enable a disabled tenant (control event `tenant.enabled`). */
        post: operations["enableTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Current config document with its ETag. */
        get: operations["getConfig"];
        /** Replace the config document (new version; identical content is a no-op; older content = rollback). */
        put: operations["putConfig"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/config/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Dry run: validate and normalise a config document without saving it. */
        post: operations["validateConfig"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/config/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Version history of the config document, newest first. */
        get: operations["listConfigVersions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/config/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make a named earlier config version current again. */
        post: operations["rollbackConfig"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Current rules document with its ETag. */
        get: operations["getRules"];
        /** Replace the rules document (new version; identical content is a no-op; older content = rollback). */
        put: operations["putRules"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/rules/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Dry run: validate and normalise a rules document without saving it. */
        post: operations["validateRules"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/rules/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Version history of the rules document, newest first. */
        get: operations["listRulesVersions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/rules/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make a named earlier rules version current again. */
        post: operations["rollbackRules"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/cache/invalidate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Tell every service to drop cached config, rules or popularity for the tenant (control event). */
        post: operations["invalidateCache"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit log, newest first (keyset paging). Viewers get metadata only. */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant’s API keys (never their secrets). */
        get: operations["listApiKeys"];
        put?: never;
        /** Issue an API key for the tenant; the secret appears only in this response. */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/keys/{key_id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a key at once (control event `key.revoked`). Idempotent. */
        post: operations["revokeApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants/{tenant_id}/keys/{key_id}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a replacement with the same name and roles and revoke the old key. */
        post: operations["rotateApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/internal/v1/keys/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve an API key to its tenant and roles (401 unknown/revoked/expired; 403 tenant disabled). */
        post: operations["verifyApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/internal/v1/tenants/{tenant_id}/runtime": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Tenant status with its current config and rules, for serving and ingest (ETag / If-None-Match). */
        get: operations["getTenantRuntime"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        CreateTenantRequest: {
            /**
             * @description Tenant external id (or its UUID where noted).
             * @example demo
             */
            external_id: string;
            display_name: string;
        };
        /** @description Per-tenant config document (unknown keys are preserved). */
        TenantConfig: {
            weights?: components["schemas"]["SignalWeights"];
            algo?: components["schemas"]["AlgoMode"];
            flags?: {
                [key: string]: unknown;
            };
            limits?: components["schemas"]["ConfigLimits"];
            ranking?: components["schemas"]["RankingSettings"];
            surfaces?: {
                [key: string]: components["schemas"]["ConfigOverrides"];
            };
            experiments?: components["schemas"]["ExperimentDefinition"][];
        } & {
            [key: string]: unknown;
        };
        /** @description Blend weights per signal, each >= 0 (not normalised). */
        SignalWeights: {
            pop?: number;
            cooc?: number;
            emb?: number;
            i2i?: number;
            content?: number;
            session?: number;
            history?: number;
        } & {
            [key: string]: unknown;
        };
        /**
         * @description Ranking mode.
         * @enum {string}
         */
        AlgoMode: "blend" | "popularity" | "cooc" | "implicit";
        /** @description Validated; values must be >= 0. */
        ConfigLimits: {
            max_k?: number;
            max_exclude_ids?: number;
        } & {
            [key: string]: unknown;
        };
        RankingSettings: {
            max_pins?: number;
            mmr_lambda?: number;
            allow_repeats?: boolean;
            fanout?: number;
        } & {
            [key: string]: unknown;
        };
        ConfigOverrides: {
            weights?: components["schemas"]["SignalWeights"];
            algo?: components["schemas"]["AlgoMode"];
            ranking?: components["schemas"]["RankingSettings"];
        } & {
            [key: string]: unknown;
        };
        ExperimentDefinition: {
            id: string;
            /** @default true */
            enabled?: boolean;
            surface?: string;
            /** @default 100 */
            traffic_percent?: number;
            variants: components["schemas"]["ExperimentVariant"][];
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            starts_at?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            ends_at?: string;
        } & {
            [key: string]: unknown;
        };
        ExperimentVariant: {
            name: string;
            weight: number;
            overrides?: components["schemas"]["ConfigOverrides"];
        } & {
            [key: string]: unknown;
        };
        RollbackRequest: {
            version: string;
        };
        /** @description A JSON array of rules or an object with a `rules` array. */
        RulesDocument: components["schemas"]["Rule"][] | ({
            rules: components["schemas"]["Rule"][];
        } & {
            [key: string]: unknown;
        });
        Rule: {
            id?: string;
            action: components["schemas"]["RuleAction"];
            target_type: components["schemas"]["RuleTargetType"];
            target_key?: string;
            item_ids?: string[];
            surface?: string;
            segment?: string;
            /** @default 0 */
            priority?: number;
            boost_value?: number;
            max_pins?: number;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            starts_at?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            ends_at?: string;
            /** @default true */
            enabled?: boolean;
            name?: string;
            description?: string;
        } & {
            [key: string]: unknown;
        };
        /** @enum {string} */
        RuleAction: "pin" | "boost" | "block";
        /** @enum {string} */
        RuleTargetType: "item" | "tag" | "brand" | "category";
        InvalidateCacheRequest: {
            /** @description `config`, `rules` and/or `popularity`. */
            targets: string[];
            surface?: string;
        };
        CreateApiKeyRequest: {
            name: string;
            roles: components["schemas"]["ApiKeyRole"][];
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            expires_at?: string;
        };
        ApiKeyRole: string;
        RotateApiKeyRequest: {
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            expires_at?: string;
        };
        VerifyKeyRequest: {
            api_key: string;
        };
        ConfigUpdatedEvent: {
            /** @constant */
            type: "config.updated";
            /** @description Tenant external id. */
            tenant_id: string;
            version: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        RulesUpdatedEvent: {
            /** @constant */
            type: "rules.updated";
            /** @description Tenant external id. */
            tenant_id: string;
            version: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        CacheInvalidatedEvent: {
            /** @constant */
            type: "cache.invalidated";
            /** @description Tenant external id. */
            tenant_id: string;
            targets: components["schemas"]["CacheTarget"][];
            surface?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        /** @enum {string} */
        CacheTarget: "config" | "rules" | "popularity";
        TenantDisabledEvent: {
            /** @constant */
            type: "tenant.disabled";
            /** @description Tenant external id. */
            tenant_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        TenantEnabledEvent: {
            /** @constant */
            type: "tenant.enabled";
            /** @description Tenant external id. */
            tenant_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        KeyRevokedEvent: {
            /** @constant */
            type: "key.revoked";
            /** @description Tenant external id. */
            tenant_id: string;
            key_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        Health: {
            /** @enum {string} */
            status: "ok" | "degraded" | "unavailable";
            service: string;
            version: string;
            checks: {
                [key: string]: {
                    /** @enum {string} */
                    status: "ok" | "degraded" | "unavailable";
                    detail?: string;
                    latency_ms?: number;
                };
            };
        };
        Tenant: {
            /**
             * Format: uuid
             * @description Internal UUID.
             */
            id: string;
            /**
             * @description Tenant external id (or its UUID where noted).
             * @example demo
             */
            external_id: string;
            display_name: string;
            /** @enum {string} */
            status: "active" | "disabled";
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            created_at: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            updated_at: string;
        };
        /** @description RFC 9457 problem details (`application/problem+json`). */
        Problem: {
            /** @description URI identifying the problem type (derived from `code`). */
            type: string;
            title: string;
            status: number;
            detail: string;
            /** @description Request path. */
            instance: string;
            /** @description Stable machine-readable code, e.g. `RECSYS_INVALID_REQUEST`. */
            code: string;
            request_id?: string;
            errors?: components["schemas"]["FieldError"][];
        };
        FieldError: {
            /** @description JSON pointer to the offending value, e.g. `/k`. */
            pointer: string;
            /** @enum {string} */
            in?: "body" | "query" | "path" | "header";
            message: string;
        };
        TenantList: {
            tenants: components["schemas"]["Tenant"][];
        };
        ConfigResponse: {
            tenant_id: string;
            config_version: string;
            config: components["schemas"]["TenantConfigOutput"];
        };
        ValidateConfigResponse: {
            /** @constant */
            valid: true;
            config: components["schemas"]["TenantConfigOutput"];
            warnings: string[];
        };
        DocumentVersionList: {
            tenant_id: string;
            current_version: string | null;
            versions: components["schemas"]["DocumentVersion"][];
        };
        DocumentVersion: {
            /** @description ETag of this version. */
            version: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            created_at: string;
            created_by: string;
            current: boolean;
        };
        RulesResponse: {
            tenant_id: string;
            rules_version: string;
            rules: components["schemas"]["RulesDocumentOutput"];
        };
        ValidateRulesResponse: {
            /** @constant */
            valid: true;
            rules: components["schemas"]["NormalizedRule"][];
            warnings: string[];
        };
        NormalizedRule: {
            id: string;
            action: components["schemas"]["RuleAction"];
            target_type: components["schemas"]["RuleTargetType"];
            target_key?: string;
            item_ids: string[];
            surface?: string;
            segment?: string;
            priority: number;
            boost_value?: number;
            max_pins?: number;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            starts_at?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            ends_at?: string;
            enabled: boolean;
            name?: string;
            description?: string;
        };
        InvalidateCacheResponse: {
            tenant_id: string;
            targets: components["schemas"]["CacheTarget"][];
            surface?: string;
            /** @constant */
            status: "applied";
            invalidated: {
                [key: string]: number;
            };
        };
        AuditPage: {
            tenant_id: string;
            entries: components["schemas"]["AuditEntry"][];
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            next_before?: string;
            next_before_id?: number;
        };
        AuditEntry: {
            id: number;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
            tenant_id: string;
            actor_sub: string;
            actor_type: string;
            action: string;
            entity_type: string;
            entity_id: string;
            request_id: string | null;
            ip: string | null;
            user_agent: string | null;
            before_state?: unknown;
            after_state?: unknown;
            extra?: unknown;
        };
        IssuedApiKey: {
            key: components["schemas"]["ApiKey"];
            /** @description The secret, shown only in this response. */
            api_key: string;
        };
        ApiKey: {
            /** Format: uuid */
            id: string;
            /** @description Tenant external id. */
            tenant_id: string;
            name: string;
            /** @description Visible part of the key: `rk_<prefix>_…`. */
            prefix: string;
            roles: string[];
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            created_at: string;
            created_by: string;
            expires_at: string | null;
            revoked_at: string | null;
            last_used_at: string | null;
        };
        ApiKeyList: {
            keys: components["schemas"]["ApiKey"][];
        };
        VerifiedKey: {
            key_id: string;
            /** @description Tenant external id. */
            tenant_id: string;
            roles: string[];
            expires_at: string | null;
        };
        TenantRuntime: {
            tenant: {
                /** Format: uuid */
                id: string;
                external_id: string;
                /** @enum {string} */
                status: "active" | "disabled";
            };
            config: {
                version: string;
                document: components["schemas"]["TenantConfigOutput"];
            } | null;
            rules: {
                version: string;
                document: components["schemas"]["RulesDocumentOutput"];
            } | null;
        };
        /** @description Per-tenant config document (unknown keys are preserved). */
        TenantConfigOutput: {
            weights?: components["schemas"]["SignalWeights"];
            algo?: components["schemas"]["AlgoMode"];
            flags?: {
                [key: string]: unknown;
            };
            limits?: components["schemas"]["ConfigLimits"];
            ranking?: components["schemas"]["RankingSettings"];
            surfaces?: {
                [key: string]: components["schemas"]["ConfigOverrides"];
            };
            experiments?: components["schemas"]["ExperimentDefinitionOutput"][];
        } & {
            [key: string]: unknown;
        };
        ExperimentDefinitionOutput: {
            id: string;
            /** @default true */
            enabled: boolean;
            surface?: string;
            /** @default 100 */
            traffic_percent: number;
            variants: components["schemas"]["ExperimentVariant"][];
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            starts_at?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            ends_at?: string;
        } & {
            [key: string]: unknown;
        };
        /** @description A JSON array of rules or an object with a `rules` array. */
        RulesDocumentOutput: components["schemas"]["RuleOutput"][] | ({
            rules: components["schemas"]["RuleOutput"][];
        } & {
            [key: string]: unknown;
        });
        RuleOutput: {
            id?: string;
            action: components["schemas"]["RuleAction"];
            target_type: components["schemas"]["RuleTargetType"];
            target_key?: string;
            item_ids?: string[];
            surface?: string;
            segment?: string;
            /** @default 0 */
            priority: number;
            boost_value?: number;
            max_pins?: number;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            starts_at?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            ends_at?: string;
            /** @default true */
            enabled: boolean;
            name?: string;
            description?: string;
        } & {
            [key: string]: unknown;
        };
        ConfigUpdatedEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "config.updated";
            /** @description Tenant external id. */
            tenant_id: string;
            version: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        RulesUpdatedEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "rules.updated";
            /** @description Tenant external id. */
            tenant_id: string;
            version: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        CacheInvalidatedEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "cache.invalidated";
            /** @description Tenant external id. */
            tenant_id: string;
            targets: components["schemas"]["CacheTarget"][];
            surface?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        TenantDisabledEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "tenant.disabled";
            /** @description Tenant external id. */
            tenant_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        TenantEnabledEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "tenant.enabled";
            /** @description Tenant external id. */
            tenant_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        KeyRevokedEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "key.revoked";
            /** @description Tenant external id. */
            tenant_id: string;
            key_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        ControlEvent: components["schemas"]["ConfigUpdatedEventOutput"] | components["schemas"]["RulesUpdatedEventOutput"] | components["schemas"]["CacheInvalidatedEventOutput"] | components["schemas"]["TenantDisabledEventOutput"] | components["schemas"]["TenantEnabledEventOutput"] | components["schemas"]["KeyRevokedEventOutput"];
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready (possibly degraded). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description Not ready. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    healthDetailed: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Detail. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Metrics. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    listTenants: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tenants. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantList"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createTenant: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTenantRequest"];
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict (stale If-Match, duplicate). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tenant. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    disableTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tenant. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    enableTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tenant. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getConfig: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Current document. */
            200: {
                headers: {
                    /** @description Current version (unquoted). */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConfigResponse"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putConfig: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag the write is based on (quoted or not); mismatch → 409. */
                "if-match"?: string;
                /** @description `*`: write only if the tenant has no document of this kind yet; a tag list: only if the current version is none of them. Otherwise 409. */
                "if-none-match"?: string;
            };
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TenantConfig"];
            };
        };
        responses: {
            /** @description Now current. */
            200: {
                headers: {
                    /** @description Current version (unquoted). */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConfigResponse"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict (stale If-Match, duplicate). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but semantically invalid. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    validateConfig: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TenantConfig"];
            };
        };
        responses: {
            /** @description Valid. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidateConfigResponse"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but semantically invalid. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listConfigVersions: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Versions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentVersionList"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    rollbackConfig: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag the write is based on (quoted or not); mismatch → 409. */
                "if-match"?: string;
            };
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RollbackRequest"];
            };
        };
        responses: {
            /** @description Now current. */
            200: {
                headers: {
                    /** @description Current version (unquoted). */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConfigResponse"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict (stale If-Match, duplicate). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but semantically invalid. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Current document. */
            200: {
                headers: {
                    /** @description Current version (unquoted). */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RulesResponse"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putRules: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag the write is based on (quoted or not); mismatch → 409. */
                "if-match"?: string;
                /** @description `*`: write only if the tenant has no document of this kind yet; a tag list: only if the current version is none of them. Otherwise 409. */
                "if-none-match"?: string;
            };
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RulesDocument"];
            };
        };
        responses: {
            /** @description Now current. */
            200: {
                headers: {
                    /** @description Current version (unquoted). */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RulesResponse"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict (stale If-Match, duplicate). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but semantically invalid. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    validateRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RulesDocument"];
            };
        };
        responses: {
            /** @description Valid. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidateRulesResponse"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but semantically invalid. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listRulesVersions: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Versions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentVersionList"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    rollbackRules: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag the write is based on (quoted or not); mismatch → 409. */
                "if-match"?: string;
            };
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RollbackRequest"];
            };
        };
        responses: {
            /** @description Now current. */
            200: {
                headers: {
                    /** @description Current version (unquoted). */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RulesResponse"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict (stale If-Match, duplicate). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but semantically invalid. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    invalidateCache: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InvalidateCacheRequest"];
            };
        };
        responses: {
            /** @description Applied. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidateCacheResponse"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but semantically invalid. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listAudit: {
        parameters: {
            query?: {
                limit?: number;
                before?: string;
                before_id?: number;
            };
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Keys. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyList"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateApiKeyRequest"];
            };
        };
        responses: {
            /** @description Issued. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedApiKey"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but semantically invalid. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revokeApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id (or its UUID where noted). */
                tenant_id: string;
                key_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKey"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    rotateApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id (or its UUID where noted). */
                tenant_id: string;
                key_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RotateApiKeyRequest"];
            };
        };
        responses: {
            /** @description Replacement issued. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedApiKey"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict (stale If-Match, duplicate). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    verifyApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerifyKeyRequest"];
            };
        };
        responses: {
            /** @description Valid key. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerifiedKey"];
                };
            };
            /** @description Malformed request (bad JSON, unknown field, wrong type or range). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authenticated but not allowed (role or tenant scope). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getTenantRuntime: {
        parameters: {
            query?: never;
            header?: {
                "if-none-match"?: string;
            };
            path: {
                /** @description Tenant external id or internal UUID. */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Runtime view. */
            200: {
                headers: {
                    /** @description Current version (unquoted). */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantRuntime"];
                };
            };
            /** @description Unchanged since the ETag in If-None-Match. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or invalid credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}

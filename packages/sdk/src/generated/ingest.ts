// Generated from services/ingest/openapi.json by @recsys/codegen. Do not edit.

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
    "/v1/events/exposures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Store a batch of exposures.
         * @description Each element is validated and stored on its own: the response lists, per index, whether it was accepted, a duplicate of a stored event, or rejected (with code and reason). Nothing is half-stored: the accepted elements are committed in one transaction before the response is sent.
         */
        post: operations["postExposures"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/outcomes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Store a batch of outcomes.
         * @description Each element is validated and stored on its own: the response lists, per index, whether it was accepted, a duplicate of a stored event, or rejected (with code and reason). Nothing is half-stored: the accepted elements are committed in one transaction before the response is sent.
         */
        post: operations["postOutcomes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/assignments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Store a batch of experiment assignments.
         * @description Each element is validated and stored on its own: the response lists, per index, whether it was accepted, a duplicate of a stored event, or rejected (with code and reason). Nothing is half-stored: the accepted elements are committed in one transaction before the response is sent.
         */
        post: operations["postAssignments"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import any number of events from NDJSON, streamed.
         * @description One JSON object per line with a `kind` field (`exposure`, `outcome`, `assignment`) and the fields of the matching input. The body is read as a stream (optionally `Content-Encoding: gzip`) and stored in chunks; the response is NDJSON streamed back: one BulkLineResult per line (or only rejected lines with `report=errors`) once the line is committed, then a final BulkSummary line. A result line is written only after its chunk is committed, so every line reported `accepted` or `duplicate` is stored.
         */
        post: operations["bulkImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog/items/{item_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Create or replace a catalog item. */
        put: operations["putCatalogItem"];
        post?: never;
        /** Delete a catalog item (kept as a tombstone). */
        delete: operations["deleteCatalogItem"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/exports/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream stored events of a window [from, to) as NDJSON, resumable by cursor.
         * @description Lines are ordered by (occurred_at, event_id, kind); each carries `cursor`. Pass the last cursor back to resume strictly after it. Exposure lines are ExposureEvent with `kind: "exposure"`; they join outcomes and assignments by `request_id`. User, anonymous and session ids are HMAC-hashed when the deployment sets EXPOSURE_HASH_SALT.
         */
        get: operations["exportEvents"];
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
        /** @description Each element is validated on its own against ExposureInput: a bad element is reported as rejected, the others are stored. */
        ExposureBatch: {
            events: unknown[];
        };
        /** @description Each element is validated on its own against OutcomeInput: a bad element is reported as rejected, the others are stored. */
        OutcomeBatch: {
            events: unknown[];
        };
        /** @description Each element is validated on its own against AssignmentInput: a bad element is reported as rejected, the others are stored. */
        AssignmentBatch: {
            events: unknown[];
        };
        CatalogItemBody: {
            title?: string;
            /** @default [] */
            tags?: string[];
            price?: number;
            /** @default true */
            available?: boolean;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            created_at?: string;
            /**
             * Format: date-time
             * @description When the change happened (default: now). Older changes than the stored state are ignored.
             */
            occurred_at?: string;
        };
        OutcomeEvent: {
            /** @constant */
            kind: "outcome";
            event_id: string;
            tenant_id: string;
            /** @description Outcome type: view, click, add_to_cart, purchase, like, dismiss, or any other string. */
            type: string;
            item_id: string;
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            /** @description Request id of the exposure this outcome is attributed to. */
            request_id?: string;
            surface?: string;
            /** @description Monetary value (e.g. revenue of a purchase). */
            value?: number;
            quantity?: number;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        AssignmentEvent: {
            /** @constant */
            kind: "assignment";
            event_id: string;
            tenant_id: string;
            experiment_id: string;
            variant: string;
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            request_id?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        CatalogUpsertEvent: {
            /** @constant */
            kind: "catalog.upsert";
            event_id: string;
            tenant_id: string;
            item: components["schemas"]["CatalogItem"];
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        CatalogItem: {
            item_id: string;
            title?: string;
            tags: string[];
            price?: number;
            available: boolean;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            created_at?: string;
        };
        CatalogDeleteEvent: {
            /** @constant */
            kind: "catalog.delete";
            event_id: string;
            tenant_id: string;
            item_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        ExperimentAssignment: {
            id: string;
            variant: string;
        };
        ExposureItem: {
            item_id: string;
            rank: number;
            score: number;
            propensity?: number;
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
        BatchResponse: {
            accepted: number;
            duplicates: number;
            rejected: number;
            results: components["schemas"]["BatchItemResult"][];
        };
        BatchItemResult: {
            index: number;
            /** @enum {string} */
            status: "accepted" | "duplicate" | "rejected";
            /** @description Stored (or derived) event id; absent when rejected. */
            event_id?: string;
            /** @description Stable rejection code, e.g. `RECSYS_EVENT_INVALID`. */
            code?: string;
            reason?: string;
            errors?: components["schemas"]["FieldError"][];
        };
        FieldError: {
            /** @description JSON pointer to the offending value, e.g. `/k`. */
            pointer: string;
            /** @enum {string} */
            in?: "body" | "query" | "path" | "header";
            message: string;
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
        CatalogWriteResult: {
            item_id: string;
            event_id: string;
            /**
             * @description `stale`: a change with a later occurred_at is already stored; nothing changed.
             * @enum {string}
             */
            status: "stored" | "deleted" | "stale";
        };
        OutcomeEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "outcome";
            event_id: string;
            tenant_id: string;
            /** @description Outcome type: view, click, add_to_cart, purchase, like, dismiss, or any other string. */
            type: string;
            item_id: string;
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            /** @description Request id of the exposure this outcome is attributed to. */
            request_id?: string;
            surface?: string;
            /** @description Monetary value (e.g. revenue of a purchase). */
            value?: number;
            quantity?: number;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        AssignmentEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "assignment";
            event_id: string;
            tenant_id: string;
            experiment_id: string;
            variant: string;
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            request_id?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        CatalogUpsertEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "catalog.upsert";
            event_id: string;
            tenant_id: string;
            item: components["schemas"]["CatalogItemOutput"];
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        CatalogItemOutput: {
            item_id: string;
            title?: string;
            tags: string[];
            price?: number;
            available: boolean;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            created_at?: string;
        };
        CatalogDeleteEventOutput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "catalog.delete";
            event_id: string;
            tenant_id: string;
            item_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        ExperimentAssignmentOutput: {
            id: string;
            variant: string;
        };
        ExposureItemOutput: {
            item_id: string;
            rank: number;
            score: number;
            propensity?: number;
        };
        IngestEvent: components["schemas"]["OutcomeEventOutput"] | components["schemas"]["AssignmentEventOutput"] | components["schemas"]["CatalogUpsertEventOutput"] | components["schemas"]["CatalogDeleteEventOutput"];
        /** @description Payload of `exposure` entries on recsys.exposures.v1. */
        ExposureEvent: {
            /** @constant */
            v: 1;
            event_id: string;
            request_id: string;
            tenant_id: string;
            surface: string;
            segment: string;
            /** @enum {string} */
            endpoint: "recommend" | "similar";
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
            items: components["schemas"]["ExposureItemOutput"][];
            algo_version: string;
            config_version?: string;
            rules_version?: string;
            signal_version?: string;
            experiment?: components["schemas"]["ExperimentAssignmentOutput"];
            context?: {
                locale?: string;
                device?: string;
                country?: string;
            };
        };
        /** @description An exposure as posted by a client (ExposureEvent shape). */
        ExposureInput: {
            /** @constant */
            v?: 1;
            /** @description Defaults to `request_id + ":" + endpoint`. */
            event_id?: string;
            /** @description Optional; when present it must equal the tenant of the credential / X-Org-Id. */
            tenant_id?: string;
            request_id: string;
            /** @default default */
            surface: string;
            /** @default default */
            segment: string;
            /**
             * @default recommend
             * @enum {string}
             */
            endpoint: "recommend" | "similar";
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
            items: {
                item_id: string;
                rank: number;
                score: number;
                propensity?: number;
            }[];
            algo_version: string;
            config_version?: string;
            rules_version?: string;
            signal_version?: string;
            experiment?: {
                id: string;
                variant: string;
            };
            context?: {
                locale?: string;
                device?: string;
                country?: string;
            };
        };
        OutcomeInput: {
            /** @description Idempotency key. When absent ingest derives a deterministic sha256 of the canonical event, so a resent identical event is reported as `duplicate`. */
            event_id?: string;
            /** @description Optional; when present it must equal the tenant of the credential / X-Org-Id. */
            tenant_id?: string;
            type: string;
            item_id: string;
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            request_id?: string;
            surface?: string;
            value?: number;
            quantity?: number;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        AssignmentInput: {
            /** @description Idempotency key. When absent ingest derives a deterministic sha256 of the canonical event, so a resent identical event is reported as `duplicate`. */
            event_id?: string;
            /** @description Optional; when present it must equal the tenant of the credential / X-Org-Id. */
            tenant_id?: string;
            experiment_id: string;
            variant: string;
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            request_id?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
        };
        /** @description One line of the export (NDJSON), ordered by (occurred_at, event_id). */
        ExportLine: {
            /** @constant */
            v: 1;
            event_id: string;
            request_id: string;
            tenant_id: string;
            surface: string;
            segment: string;
            /** @enum {string} */
            endpoint: "recommend" | "similar";
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
            items: components["schemas"]["ExposureItemOutput"][];
            algo_version: string;
            config_version?: string;
            rules_version?: string;
            signal_version?: string;
            experiment?: components["schemas"]["ExperimentAssignmentOutput"];
            context?: {
                locale?: string;
                device?: string;
                country?: string;
            };
            /** @constant */
            kind: "exposure";
            /** @description Opaque resume position of this line. */
            cursor: string;
        } | {
            /** @constant */
            kind: "outcome";
            event_id: string;
            tenant_id: string;
            /** @description Outcome type: view, click, add_to_cart, purchase, like, dismiss, or any other string. */
            type: string;
            item_id: string;
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            /** @description Request id of the exposure this outcome is attributed to. */
            request_id?: string;
            surface?: string;
            /** @description Monetary value (e.g. revenue of a purchase). */
            value?: number;
            quantity?: number;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
            /** @description Opaque resume position of this line. */
            cursor: string;
        } | {
            /** @constant */
            kind: "assignment";
            event_id: string;
            tenant_id: string;
            experiment_id: string;
            variant: string;
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
            request_id?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
            /** @description Opaque resume position of this line. */
            cursor: string;
        } | {
            /** @constant */
            kind: "catalog.upsert";
            event_id: string;
            tenant_id: string;
            item: components["schemas"]["CatalogItemOutput"];
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
            /** @description Opaque resume position of this line. */
            cursor: string;
        } | {
            /** @constant */
            kind: "catalog.delete";
            event_id: string;
            tenant_id: string;
            item_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            occurred_at: string;
            /** @description Opaque resume position of this line. */
            cursor: string;
        };
        BulkLineResult: {
            /** @description 1-based line number in the request body. */
            line: number;
            /** @enum {string} */
            status: "accepted" | "duplicate" | "rejected";
            event_id?: string;
            code?: string;
            reason?: string;
        };
        /** @description Last line of a bulk response; its absence means the import was interrupted. */
        BulkSummary: {
            summary: {
                lines: number;
                accepted: number;
                duplicate: number;
                rejected: number;
                /** @constant */
                complete: true;
            };
        };
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
    postExposures: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExposureBatch"];
            };
        };
        responses: {
            /** @description Per-element results. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchResponse"];
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
            /** @description Overloaded or a dependency is unavailable; see Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postOutcomes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OutcomeBatch"];
            };
        };
        responses: {
            /** @description Per-element results. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchResponse"];
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
            /** @description Overloaded or a dependency is unavailable; see Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAssignments: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AssignmentBatch"];
            };
        };
        responses: {
            /** @description Per-element results. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchResponse"];
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
            /** @description Overloaded or a dependency is unavailable; see Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    bulkImport: {
        parameters: {
            query?: {
                /** @description `all`: one result line per input line; `errors`: only rejected lines. */
                report?: "all" | "errors";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/x-ndjson": string;
            };
        };
        responses: {
            /** @description NDJSON: BulkLineResult lines, then a BulkSummary line. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": string;
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
            /** @description Overloaded or a dependency is unavailable; see Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putCatalogItem: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CatalogItemBody"];
            };
        };
        responses: {
            /** @description Stored (or stale). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CatalogWriteResult"];
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
            /** @description Overloaded or a dependency is unavailable; see Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteCatalogItem: {
        parameters: {
            query?: {
                occurred_at?: string;
            };
            header?: never;
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted (or stale). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CatalogWriteResult"];
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
            /** @description Overloaded or a dependency is unavailable; see Retry-After. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    exportEvents: {
        parameters: {
            query: {
                /** @description Inclusive lower bound of occurred_at. */
                from: string;
                /** @description Exclusive upper bound of occurred_at. */
                to: string;
                /** @description Comma-separated kinds (default all); `catalog` means both catalog kinds. */
                types?: string;
                /** @description `cursor` of the last line received; resumes after it. */
                cursor?: string;
                /** @description At most this many lines; fewer lines than `limit` means the window is exhausted. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description NDJSON of ExportLine. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": string;
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
}

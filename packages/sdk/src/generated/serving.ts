// Generated from services/serving/openapi.json by @recsys/codegen. Do not edit.

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
    "/v1/recommend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ranked recommendations for a tenant surface. */
        post: operations["recommend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/recommend/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Validate and normalize a recommend request without ranking. */
        post: operations["validateRecommend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/similar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Items similar to one anchor item. */
        post: operations["similar"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/internal/v1/signals/{tenant_id}/{surface}/{segment}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Stage a signal version (DB-only mode bulk load). Idempotent for the same version. */
        put: operations["putSignalVersion"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/internal/v1/signals/{tenant_id}/{surface}/{segment}/versions/{version}/activate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make a staged (or retired) version live in one atomic swap. */
        post: operations["activateSignalVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/internal/v1/signals/{tenant_id}/{surface}/{segment}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live, staged and previously live versions of a (tenant, surface, segment). */
        get: operations["getSignalStatus"];
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
        RecommendRequest: {
            /**
             * @description Product placement; also the namespace of signal lookups.
             * @example home
             */
            surface: string;
            /** @description Cohort label; defaults to 'default'. */
            segment?: string;
            /** @description Number of items (1..200); defaults to 20. */
            k?: number;
            user?: components["schemas"]["UserRef"];
            context?: components["schemas"]["RecommendContext"];
            anchors?: components["schemas"]["Anchors"];
            candidates?: components["schemas"]["Candidates"];
            constraints?: components["schemas"]["Constraints"];
            weights?: components["schemas"]["Weights"];
            options?: components["schemas"]["Options"];
            experiment?: components["schemas"]["ExperimentRef"];
        };
        /** @description At least one non-empty id is required (422 otherwise). */
        UserRef: {
            user_id?: string;
            anonymous_id?: string;
            session_id?: string;
        };
        RecommendContext: {
            locale?: string;
            device?: string;
            country?: string;
            /** @description RFC 3339; logged only. */
            now?: string;
        };
        Anchors: {
            item_ids?: string[];
            max_anchors?: number;
        };
        Candidates: {
            include_ids?: string[];
            exclude_ids?: string[];
        };
        Constraints: {
            required_tags?: string[];
            forbidden_tags?: string[];
            max_per_tag?: {
                [key: string]: number;
            };
        };
        /** @description Per-request blend weights; negative → 422. */
        Weights: {
            pop?: number;
            cooc?: number;
            emb?: number;
            /** @description Learned item-to-item signal (addition over the reference). */
            i2i?: number;
            /** @description Content similarity by tags (addition). */
            content?: number;
            /** @description Session next-item signal (addition). */
            session?: number;
            /** @description The user's own history, 'buy again' (addition). */
            history?: number;
        };
        Options: {
            include_reasons?: boolean;
            explain?: string;
            include_trace?: boolean;
            seed?: number;
        };
        ExperimentRef: {
            id?: string;
            variant?: string;
        };
        SimilarRequest: {
            /**
             * @description Product placement; also the namespace of signal lookups.
             * @example home
             */
            surface: string;
            /** @description Cohort label; defaults to 'default'. */
            segment?: string;
            item_id: string;
            /** @description Number of items (1..200); defaults to 20. */
            k?: number;
            constraints?: components["schemas"]["Constraints"];
            options?: components["schemas"]["Options"];
        };
        PutSignalVersionRequest: {
            manifest: components["schemas"]["Manifest"];
            artifacts: {
                [key: string]: components["schemas"]["PopularityArtifact"] | components["schemas"]["CoocArtifact"] | components["schemas"]["I2iArtifact"] | components["schemas"]["SessionSeqArtifact"] | components["schemas"]["ContentSimArtifact"] | components["schemas"]["ImplicitArtifact"] | components["schemas"]["CatalogArtifact"];
            };
        };
        Manifest: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment?: string;
            version: string;
            current: {
                [key: string]: string;
            };
            /** @default {} */
            artifacts?: {
                [key: string]: {
                    uri: string;
                    sha256: string;
                    bytes: number;
                };
            };
            window?: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                start: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                end: string;
            };
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            updated_at: string;
            /** @default null */
            previous_version?: string | null;
            eval_report_uri?: string;
            forced_reason?: string;
            seq?: number;
            gate?: {
                /** @enum {string} */
                decision: "pass" | "refused" | "forced" | "skipped";
                metrics?: {
                    [key: string]: number;
                };
                baseline_metrics?: {
                    [key: string]: number;
                } | null;
            };
        };
        PopularityArtifact: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment?: string;
            window: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                start: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                end: string;
            };
            build: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                built_at: string;
                version: string;
                source_hash: string;
                /** @default {} */
                params?: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts?: {
                [key: string]: number;
            };
            checksum?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            artifact_type: "popularity";
            items: {
                item_id: string;
                score: number;
                count: number;
            }[];
        };
        CoocArtifact: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment?: string;
            window: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                start: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                end: string;
            };
            build: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                built_at: string;
                version: string;
                source_hash: string;
                /** @default {} */
                params?: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts?: {
                [key: string]: number;
            };
            checksum?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            artifact_type: "cooc";
            neighbors: {
                item_id: string;
                items: {
                    item_id: string;
                    score: number;
                }[];
            }[];
        };
        /** @description Learned item-to-item model (top-N neighbours per item). */
        I2iArtifact: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment?: string;
            window: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                start: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                end: string;
            };
            build: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                built_at: string;
                version: string;
                source_hash: string;
                /** @default {} */
                params?: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts?: {
                [key: string]: number;
            };
            checksum?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            artifact_type: "i2i";
            neighbors: {
                item_id: string;
                items: {
                    item_id: string;
                    score: number;
                }[];
            }[];
        };
        /** @description Next-item transitions within sessions. */
        SessionSeqArtifact: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment?: string;
            window: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                start: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                end: string;
            };
            build: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                built_at: string;
                version: string;
                source_hash: string;
                /** @default {} */
                params?: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts?: {
                [key: string]: number;
            };
            checksum?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            artifact_type: "session_seq";
            neighbors: {
                item_id: string;
                items: {
                    item_id: string;
                    score: number;
                }[];
            }[];
        };
        ContentSimArtifact: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment?: string;
            window: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                start: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                end: string;
            };
            build: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                built_at: string;
                version: string;
                source_hash: string;
                /** @default {} */
                params?: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts?: {
                [key: string]: number;
            };
            checksum?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            artifact_type: "content_sim";
            items: {
                item_id: string;
                tags: string[];
            }[];
        };
        ImplicitArtifact: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment?: string;
            window: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                start: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                end: string;
            };
            build: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                built_at: string;
                version: string;
                source_hash: string;
                /** @default {} */
                params?: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts?: {
                [key: string]: number;
            };
            checksum?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            artifact_type: "implicit";
            users: {
                user_id: string;
                items: {
                    item_id: string;
                    score: number;
                }[];
            }[];
        };
        CatalogArtifact: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment?: string;
            window: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                start: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                end: string;
            };
            build: {
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                built_at: string;
                version: string;
                source_hash: string;
                /** @default {} */
                params?: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts?: {
                [key: string]: number;
            };
            checksum?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            artifact_type: "catalog";
            items: {
                item_id: string;
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
            }[];
        };
        ExperimentAssignment: {
            id: string;
            variant: string;
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
        RecommendResponse: {
            items: components["schemas"]["RecommendItem"][];
            meta: components["schemas"]["ResponseMeta"];
            warnings?: components["schemas"]["Warning"][];
            /** @description Why items were filtered or out-ranked (options.include_trace, admin only). */
            trace?: components["schemas"]["TraceEntry"][];
        };
        RecommendItem: {
            item_id: string;
            rank: number;
            score: number;
            reasons?: string[];
            explain?: components["schemas"]["ExplainBlock"];
        };
        ExplainBlock: {
            signals: {
                [key: string]: number;
            };
            rules: string[];
        };
        ResponseMeta: {
            tenant_id: string;
            surface: string;
            segment: string;
            algo_version: string;
            /** @description ETag of the tenant config in effect. */
            config_version?: string;
            /** @description ETag of the tenant rules in effect. */
            rules_version?: string;
            request_id: string;
            counts?: {
                returned: number;
            };
            /** @description Signal snapshot version that ranked this response (addition). */
            signal_version?: string;
            /** @description Experiment and variant this request was assigned to (addition). */
            experiment?: components["schemas"]["ExperimentAssignmentOutput"];
        };
        /** @description Non-fatal condition, e.g. DEFAULT_APPLIED or SIGNAL_UNAVAILABLE. */
        Warning: {
            code: string;
            detail: string;
        };
        TraceEntry: {
            item_id: string;
            outcome: string;
            score?: number;
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
        ValidateResponse: {
            normalized_request: components["schemas"]["NormalizedRecommendRequest"];
            warnings?: components["schemas"]["Warning"][];
            meta: {
                tenant_id: string;
                surface: string;
                segment: string;
                algo_version: string;
                request_id: string;
            };
        };
        NormalizedRecommendRequest: {
            surface: string;
            segment: string;
            k: number;
            user: {
                user_id?: string;
                anonymous_id?: string;
                session_id?: string;
            };
            context?: {
                locale?: string;
                device?: string;
                country?: string;
                now?: string;
            };
            anchors?: {
                item_ids: string[];
                max_anchors: number;
            };
            candidates?: {
                include_ids?: string[];
                exclude_ids?: string[];
            };
            constraints?: {
                required_tags?: string[];
                forbidden_tags?: string[];
                max_per_tag?: {
                    [key: string]: number;
                };
            };
            weights?: {
                [key: string]: number;
            };
            options: {
                include_reasons: boolean;
                /** @enum {string} */
                explain: "none" | "summary" | "full";
                include_trace: boolean;
                seed: number;
            };
            experiment?: {
                id?: string;
                variant?: string;
            };
        };
        PutSignalVersionResponse: {
            version: string;
            /** @constant */
            status: "staged";
            counts: {
                [key: string]: number;
            };
        };
        ActivateSignalVersionResponse: {
            version: string;
            /** @constant */
            status: "live";
            previous_version: string | null;
        };
        SignalStatusResponse: {
            live: components["schemas"]["SignalVersionInfo"] | null;
            staged: components["schemas"]["SignalVersionInfo"][];
            /** @description Previously live versions, newest first. */
            history: components["schemas"]["SignalVersionInfo"][];
        };
        SignalVersionInfo: {
            version: string;
            /** @enum {string} */
            status: "staged" | "live" | "retired";
            counts: {
                [key: string]: number;
            };
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            created_at: string;
            activated_at: string | null;
        };
        ExperimentAssignmentOutput: {
            id: string;
            variant: string;
        };
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
            experiment?: components["schemas"]["ExperimentAssignmentOutput"];
            context?: {
                locale?: string;
                device?: string;
                country?: string;
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
    recommend: {
        parameters: {
            query?: never;
            header?: {
                /** @description Preview: rank with this staged or older version (service/operator credential). */
                "x-recsys-signal-version"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecommendRequest"];
            };
        };
        responses: {
            /** @description Ranked items. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecommendResponse"];
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
            /** @description Rate limited; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal error. */
            500: {
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
    validateRecommend: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecommendRequest"];
            };
        };
        responses: {
            /** @description Normalized request and warnings. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidateResponse"];
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
            /** @description Rate limited; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    similar: {
        parameters: {
            query?: never;
            header?: {
                /** @description Preview: rank with this staged or older version (service/operator credential). */
                "x-recsys-signal-version"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SimilarRequest"];
            };
        };
        responses: {
            /** @description Similar items (same shape as recommend). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecommendResponse"];
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
            /** @description Rate limited; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal error. */
            500: {
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
    putSignalVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id (or its UUID where noted). */
                tenant_id: string;
                surface: string;
                segment: string;
                /** @description Signal version (the manifest version). */
                version: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PutSignalVersionRequest"];
            };
        };
        responses: {
            /** @description Staged. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PutSignalVersionResponse"];
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
    activateSignalVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id (or its UUID where noted). */
                tenant_id: string;
                surface: string;
                segment: string;
                /** @description Signal version (the manifest version). */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Live. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ActivateSignalVersionResponse"];
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
    getSignalStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Tenant external id (or its UUID where noted). */
                tenant_id: string;
                surface: string;
                segment: string;
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
                    "application/json": components["schemas"]["SignalStatusResponse"];
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
}

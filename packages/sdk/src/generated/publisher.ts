// Generated from services/publisher/openapi.json by @recsys/codegen. Do not edit.

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
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        PublishHistoryEntry: {
            seq: number;
            version: string;
            /** @enum {string} */
            action: "publish" | "rollback" | "ship";
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
            previous_version: string | null;
            manifest_key: string;
            forced_reason?: string;
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
        PublishHistoryEntryOutput: {
            seq: number;
            version: string;
            /** @enum {string} */
            action: "publish" | "rollback" | "ship";
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
            previous_version: string | null;
            manifest_key: string;
            forced_reason?: string;
        };
        Manifest: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment: string;
            version: string;
            current: {
                [key: string]: string;
            };
            /** @default {} */
            artifacts: {
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
            previous_version: string | null;
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
        /** @description Payload on the recsys.manifests.v1 stream. */
        ManifestEvent: {
            /** @enum {string} */
            type: "manifest.published" | "manifest.rolled_back";
            tenant_id: string;
            surface: string;
            /** @default default */
            segment: string;
            version: string;
            uri?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            at: string;
        };
        EvalReport: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            segment: string;
            candidate_version: string;
            current_version: string | null;
            /** @enum {string} */
            evaluator: "serving" | "local";
            train_window: {
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
            holdout_window: {
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
            candidate: {
                k: number;
                users: number;
                precision: number;
                recall: number;
                ndcg: number;
                hit_rate: number;
                coverage: number;
            };
            current: {
                k: number;
                users: number;
                precision: number;
                recall: number;
                ndcg: number;
                hit_rate: number;
                coverage: number;
            } | null;
            tolerance: number;
            gate_metrics: string[];
            /** @enum {string} */
            decision: "pass" | "refused" | "forced" | "skipped";
            reasons: string[];
            forced_reason?: string;
            /**
             * Format: date-time
             * @description RFC 3339 timestamp.
             */
            generated_at: string;
            publisher_version: string;
        };
        PublishHistory: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            entries: components["schemas"]["PublishHistoryEntryOutput"][];
        };
        PopularityArtifact: {
            /** @constant */
            v: 1;
            tenant: string;
            surface: string;
            /** @default default */
            segment: string;
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
                params: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts: {
                [key: string]: number;
            };
            checksum?: string;
            /** @constant */
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
            segment: string;
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
                params: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts: {
                [key: string]: number;
            };
            checksum?: string;
            /** @constant */
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
            segment: string;
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
                params: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts: {
                [key: string]: number;
            };
            checksum?: string;
            /** @constant */
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
            segment: string;
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
                params: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts: {
                [key: string]: number;
            };
            checksum?: string;
            /** @constant */
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
            segment: string;
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
                params: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts: {
                [key: string]: number;
            };
            checksum?: string;
            /** @constant */
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
            segment: string;
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
                params: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts: {
                [key: string]: number;
            };
            checksum?: string;
            /** @constant */
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
            segment: string;
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
                params: {
                    [key: string]: unknown;
                };
            };
            /** @default {} */
            counts: {
                [key: string]: number;
            };
            checksum?: string;
            /** @constant */
            artifact_type: "catalog";
            items: {
                item_id: string;
                title?: string;
                /** @default [] */
                tags: string[];
                price?: number;
                /** @default true */
                available: boolean;
                /**
                 * Format: date-time
                 * @description RFC 3339 timestamp.
                 */
                created_at?: string;
            }[];
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
}

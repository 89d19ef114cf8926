import { prom, type HttpMetrics } from '@recsys/platform/metrics';

/**
 * Serving's own metrics on the service registry. Reference names are kept (`recsys_recommendation_*`,
 * `recsys_cache_requests_total`, `recsys_backpressure_rejections_total`, `recsys_artifact_*`); a `tenant`
 * label is added where the issue asks for per-tenant rates (bounded by the number of tenants).
 */
export function createServingMetrics(http: HttpMetrics) {
  const registers = [http.registry];
  return {
    requests: new prom.Counter({
      name: 'recsys_recommendation_requests_total',
      help: 'Recommend/similar requests by endpoint, tenant, outcome and whether the list was empty.',
      labelNames: ['endpoint', 'tenant', 'outcome', 'empty'] as const,
      registers,
    }),
    latency: new prom.Histogram({
      name: 'recsys_recommendation_latency_seconds',
      help: 'Recommend/similar latency by endpoint, tenant and outcome.',
      labelNames: ['endpoint', 'tenant', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    returnedItems: new prom.Histogram({
      name: 'recsys_recommendation_returned_items',
      help: 'Items returned per successful response.',
      labelNames: ['endpoint'] as const,
      buckets: [0, 1, 5, 10, 20, 50, 100, 200],
      registers,
    }),
    warnings: new prom.Histogram({
      name: 'recsys_recommendation_warnings',
      help: 'Warnings per successful response.',
      labelNames: ['endpoint'] as const,
      buckets: [0, 1, 2, 5, 10, 20],
      registers,
    }),
    cache: new prom.Counter({
      name: 'recsys_cache_requests_total',
      help: 'Cache lookups by cache and result.',
      labelNames: ['cache', 'result'] as const,
      registers,
    }),
    backpressureRejections: new prom.Counter({
      name: 'recsys_backpressure_rejections_total',
      help: 'Requests refused with 503 RECSYS_OVERLOADED.',
      registers,
    }),
    rateLimited: new prom.Counter({
      name: 'recsys_rate_limited_total',
      help: 'Requests refused with 429 by the per-tenant limit.',
      labelNames: ['tenant'] as const,
      registers,
    }),
    loadFailures: new prom.Counter({
      name: 'recsys_artifact_load_failures_total',
      help: 'Signal loads that failed, by kind (manifest, an artifact kind, or request).',
      labelNames: ['kind'] as const,
      registers,
    }),
    loads: new prom.Counter({
      name: 'recsys_signal_loads_total',
      help: 'Signal snapshot loads by mode and result (loaded, unchanged, missing, failed).',
      labelNames: ['mode', 'result'] as const,
      registers,
    }),
    snapshotBytes: new prom.Gauge({
      name: 'recsys_signal_snapshot_bytes',
      help: 'Approximate memory held by each live signal snapshot.',
      labelNames: ['tenant', 'surface', 'segment'] as const,
      registers,
    }),
    snapshotItems: new prom.Gauge({
      name: 'recsys_signal_snapshot_items',
      aggregator: 'max',
      help: 'Items with a popularity score in each live signal snapshot.',
      labelNames: ['tenant', 'surface', 'segment'] as const,
      registers,
    }),
    userHistoryReads: new prom.Counter({
      name: 'recsys_user_state_reads_total',
      help: 'Reads of recent user interactions from Redis by result (hit, empty, error).',
      labelNames: ['result'] as const,
      registers,
    }),
    userEvents: new prom.Counter({
      name: 'recsys_user_state_events_total',
      help: 'Events applied to user state and the catalog overlay, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    exposuresEmitted: new prom.Counter({
      name: 'recsys_exposures_emitted_total',
      help: 'Exposures written to the exposure stream.',
      registers,
    }),
    exposuresDropped: new prom.Counter({
      name: 'recsys_exposures_dropped_total',
      help: 'Exposures dropped because the in-memory buffer was full (Redis unreachable for long).',
      registers,
    }),
    exposureLag: new prom.Histogram({
      name: 'recsys_exposure_emit_lag_seconds',
      help: 'Time from serving a response to its exposure being on the stream.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers,
    }),
    controlEvents: new prom.Counter({
      name: 'recsys_control_events_total',
      help: 'Control and manifest events applied, by type.',
      labelNames: ['type'] as const,
      registers,
    }),
  };
}

export type ServingMetrics = ReturnType<typeof createServingMetrics>;

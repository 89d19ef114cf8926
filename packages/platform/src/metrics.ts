import client from 'prom-client';

/**
 * One prom-client Registry per service (never the global one, so tests can build many apps in one process).
 * HTTP metrics are labelled by route template, never by raw path, tenant-free to bound cardinality;
 * services add their own metrics to `registry`.
 */
export interface HttpMetrics {
  registry: client.Registry;
  requestDuration: client.Histogram<'method' | 'route' | 'status'>;
  requestsTotal: client.Counter<'method' | 'route' | 'status'>;
  errorsTotal: client.Counter<'method' | 'route' | 'code'>;
}

export function createMetrics(service: string, options: { collectDefaults?: boolean } = {}): HttpMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  if (options.collectDefaults ?? true) client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    requestDuration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route template.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    requestsTotal: new client.Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    errorsTotal: new client.Counter({
      name: 'http_request_errors_total',
      help: 'HTTP problem responses by route template and problem code.',
      labelNames: ['method', 'route', 'code'],
      registers: [registry],
    }),
  };
}

export { client as prom };

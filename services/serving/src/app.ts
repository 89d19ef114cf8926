import type { Express } from 'express';
import { clusterMetricsText } from '@recsys/platform/cluster';
import { createBaseApp, finalizeApp } from '@recsys/platform/http';
import type { Deps } from './deps.js';
import { registerServingRoutes } from './routes/serving.js';
import { registerSignalRoutes } from './routes/signals.js';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

/** Builds the serving app without listening, so tests can run it in-process. */
export function createApp(deps: Deps, options: { isDraining?: () => boolean } = {}): Express {
  const app = createBaseApp({
    service: SERVICE_NAME,
    version: SERVICE_VERSION,
    logger: deps.logger,
    metrics: deps.metrics,
    health: deps.health,
    isDraining: options.isDraining,
    metricsText: clusterMetricsText(deps.metrics.registry),
  });
  registerServingRoutes(app, deps);
  registerSignalRoutes(app, deps);
  return finalizeApp(app, deps.metrics);
}

import { clusterMetricsText } from '@recsys/platform/cluster';
import { createBaseApp, finalizeApp } from '@recsys/platform/http';
import type { Listenable } from '@recsys/platform/hot-routes';
import type { Deps } from './deps.js';
import { registerServingRoutes } from './routes/serving.js';
import { registerSignalRoutes } from './routes/signals.js';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

/**
 * Builds the serving app without listening, so tests can run it in-process: the express app, with the
 * ranking routes' hot path in front of it (see routes/serving.ts).
 */
export function createApp(deps: Deps, options: { isDraining?: () => boolean } = {}): Listenable {
  const app = createBaseApp({
    service: SERVICE_NAME,
    version: SERVICE_VERSION,
    logger: deps.logger,
    metrics: deps.metrics,
    health: deps.health,
    isDraining: options.isDraining,
    metricsText: clusterMetricsText(deps.metrics.registry),
  });
  const hot = registerServingRoutes(app, deps);
  registerSignalRoutes(app, deps);
  return hot.in(finalizeApp(app, deps.metrics));
}

import type { Express } from 'express';
import { createBaseApp, finalizeApp } from '@recsys/platform/http';
import type { Deps } from './deps.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { registerEventRoutes } from './routes/events.js';
import { registerExportRoutes } from './routes/exports.js';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

/** Builds the ingest app without listening, so tests can run it in-process. */
export function createApp(deps: Deps, options: { isDraining?: () => boolean } = {}): Express {
  const app = createBaseApp({
    service: SERVICE_NAME,
    version: SERVICE_VERSION,
    logger: deps.logger,
    metrics: deps.metrics,
    health: deps.health,
    isDraining: options.isDraining,
  });
  registerEventRoutes(app, deps);
  registerCatalogRoutes(app, deps);
  registerExportRoutes(app, deps);
  return finalizeApp(app, deps.metrics);
}

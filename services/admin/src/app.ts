import type { Express } from 'express';
import { createBaseApp, finalizeApp } from '@recsys/platform/http';
import type { Deps } from './deps.js';
import { registerDocumentRoutes } from './routes/documents.js';
import { createGuards } from './routes/guards.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerTenantRoutes } from './routes/tenants.js';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

/** Builds the admin app without listening, so tests can run it in-process. */
export function createApp(deps: Deps, options: { isDraining?: () => boolean } = {}): Express {
  const app = createBaseApp({
    service: SERVICE_NAME,
    version: SERVICE_VERSION,
    logger: deps.logger,
    metrics: deps.metrics,
    health: deps.health,
    isDraining: options.isDraining,
  });
  const guards = createGuards(deps.auth, deps.db);
  registerTenantRoutes(app, deps, guards);
  registerDocumentRoutes(app, deps, guards);
  registerKeyRoutes(app, deps, guards);
  registerOperationRoutes(app, deps, guards);
  return finalizeApp(app, deps.metrics);
}

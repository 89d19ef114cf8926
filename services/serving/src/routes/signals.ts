import type { Express } from 'express';
import * as contract from '@recsys/contracts-serving';
import { bindRoute } from '@recsys/platform/http';
import { requireServiceToken } from '@recsys/platform/internal-http';
import type { Deps } from '../deps.js';
import * as bulk from '../signals/bulk-load.js';

/** Internal bulk-load endpoints (publisher → serving, X-Service-Token), DB-only mode. */
export function registerSignalRoutes(app: Express, deps: Deps): void {
  const before = [requireServiceToken(deps.config.SERVICE_TOKEN)];
  const keyOf = (p: { tenant_id: string; surface: string; segment: string }) => ({
    tenantId: p.tenant_id,
    surface: p.surface,
    segment: p.segment,
  });

  bindRoute(
    app,
    contract.putSignalVersion,
    async ({ params, body }, _req, res) => {
      res.status(201).json(await bulk.stageVersion(deps.db, keyOf(params), params.version, body));
    },
    { before, unprocessableCode: 'RECSYS_ARTIFACT_INCOMPATIBLE' },
  );

  bindRoute(
    app,
    contract.activateSignalVersion,
    async ({ params }, _req, res) => {
      // In artifact mode the DB versions are not what serves; the swap happens only in DB-only mode.
      const store = deps.config.RECSYS_ARTIFACT_MODE_ENABLED ? undefined : deps.signals;
      res.json(await bulk.activateVersion(deps.db, store, keyOf(params), params.version));
    },
    { before },
  );

  bindRoute(
    app,
    contract.getSignalStatus,
    async ({ params }, _req, res) => {
      res.json(await bulk.versionStatus(deps.db, keyOf(params)));
    },
    { before },
  );
}

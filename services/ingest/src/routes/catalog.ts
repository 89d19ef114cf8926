import type { Express } from 'express';
import * as contract from '@recsys/contracts-ingest';
import { tenantOf } from '@recsys/platform/auth';
import { bindRoute } from '@recsys/platform/http';
import type { Deps } from '../deps.js';
import { guard } from './guards.js';

export function registerCatalogRoutes(app: Express, deps: Deps): void {
  const operator = guard(deps, 'operator');
  bindRoute(
    app,
    contract.putCatalogItem,
    async ({ params, body }, _req, res) => {
      res.json(await deps.catalog.upsert(tenantOf(res), params.item_id, body));
    },
    { before: operator },
  );
  bindRoute(
    app,
    contract.deleteCatalogItem,
    async ({ params, query }, _req, res) => {
      res.json(await deps.catalog.remove(tenantOf(res), params.item_id, query.occurred_at));
    },
    { before: operator },
  );
}

import type { Express } from 'express';
import * as contract from '@recsys/contracts-admin';
import { principalOf } from '@recsys/platform/auth';
import { bindRoute } from '@recsys/platform/http';
import { requireServiceToken } from '@recsys/platform/internal-http';
import type { Deps } from '../deps.js';
import { listAudit } from '../domain/audit.js';
import { invalidateCache } from '../domain/cache.js';
import { ifNoneMatchHits } from '../domain/etag.js';
import { getRuntime } from '../domain/runtime.js';
import { resolveTenant } from '../domain/tenants.js';
import { actorOf, type Guards } from './guards.js';

/** Cache invalidation, audit listing and the internal runtime view. */
export function registerOperationRoutes(app: Express, deps: Deps, guards: Guards): void {
  bindRoute(
    app,
    contract.invalidateCache,
    async ({ params, body }, req, res) => {
      const result = await invalidateCache(deps.db, deps.control, params.tenant_id, body, actorOf(req, res));
      res.json({ tenant_id: params.tenant_id, ...result });
    },
    { before: guards.operator },
  );
  bindRoute(
    app,
    contract.listAudit,
    async ({ params, query }, _req, res) => {
      const tenant = await resolveTenant(deps.db, params.tenant_id);
      const principal = principalOf(res);
      const page = await listAudit(deps.db, tenant.id, {
        limit: query.limit,
        before: query.before,
        beforeId: query.before_id,
        withDetails: deps.auth.hasRole(principal, 'operator'),
      });
      res.json({ tenant_id: params.tenant_id, ...page });
    },
    { before: guards.viewer },
  );
  bindRoute(
    app,
    contract.getTenantRuntime,
    async ({ params, headers }, _req, res) => {
      const { body, etag } = await getRuntime(deps.db, params.tenant_id);
      res.setHeader('ETag', etag);
      res.setHeader('Cache-Control', 'no-cache');
      if (ifNoneMatchHits(headers['if-none-match'], etag)) {
        res.status(304).end();
        return;
      }
      res.json(body);
    },
    { before: [requireServiceToken(deps.config.SERVICE_TOKEN)] },
  );
}

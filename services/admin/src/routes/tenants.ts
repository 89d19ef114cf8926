import type { Express } from 'express';
import * as contract from '@recsys/contracts-admin';
import { bindRoute } from '@recsys/platform/http';
import type { Deps } from '../deps.js';
import * as tenants from '../domain/tenants.js';
import { actorOf, type Guards } from './guards.js';

export function registerTenantRoutes(app: Express, deps: Deps, guards: Guards): void {
  bindRoute(
    app,
    contract.createTenant,
    async ({ body }, req, res) => {
      res
        .status(201)
        .json(await tenants.createTenant(deps.db, body.external_id, body.display_name, actorOf(req, res)));
    },
    { before: guards.crossTenantAdmin },
  );
  bindRoute(
    app,
    contract.listTenants,
    async (_input, _req, res) => {
      res.json({ tenants: await tenants.listTenants(deps.db) });
    },
    { before: guards.crossTenantAdmin },
  );
  bindRoute(
    app,
    contract.getTenant,
    async ({ params }, _req, res) => {
      res.json(await tenants.getTenant(deps.db, params.tenant_id));
    },
    { before: guards.viewer },
  );
  for (const [route, status] of [
    [contract.disableTenant, 'disabled'],
    [contract.enableTenant, 'active'],
  ] as const) {
    bindRoute(
      app,
      route,
      async ({ params }, req, res) => {
        res.json(
          await tenants.setTenantStatus(deps.db, deps.control, params.tenant_id, status, actorOf(req, res)),
        );
      },
      { before: guards.crossTenantAdmin },
    );
  }
}

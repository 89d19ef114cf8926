import type { Express } from 'express';
import * as contract from '@recsys/contracts-admin';
import { bindRoute } from '@recsys/platform/http';
import { requireServiceToken } from '@recsys/platform/internal-http';
import { problems } from '@recsys/platform/problem';
import type { Deps } from '../deps.js';
import * as keys from '../domain/keys.js';
import { actorOf, type Guards } from './guards.js';

export function registerKeyRoutes(app: Express, deps: Deps, guards: Guards): void {
  const options = deps.keyOptions;
  bindRoute(
    app,
    contract.createApiKey,
    async ({ params, body }, req, res) => {
      res.status(201).json(await keys.createKey(deps.db, options, params.tenant_id, body, actorOf(req, res)));
    },
    { before: guards.admin },
  );
  bindRoute(
    app,
    contract.listApiKeys,
    async ({ params }, _req, res) => {
      res.json({ keys: await keys.listKeys(deps.db, params.tenant_id) });
    },
    { before: guards.admin },
  );
  bindRoute(
    app,
    contract.revokeApiKey,
    async ({ params }, req, res) => {
      res.json(
        await keys.revokeKey(deps.db, deps.control, params.tenant_id, params.key_id, actorOf(req, res)),
      );
    },
    { before: guards.admin },
  );
  bindRoute(
    app,
    contract.rotateApiKey,
    async ({ params, body }, req, res) => {
      res
        .status(201)
        .json(
          await keys.rotateKey(
            deps.db,
            deps.control,
            options,
            params.tenant_id,
            params.key_id,
            body,
            actorOf(req, res),
          ),
        );
    },
    { before: guards.admin },
  );
  bindRoute(
    app,
    contract.verifyApiKey,
    async ({ body }, _req, res) => {
      const key = await deps.verifyApiKey(body.api_key);
      if (!key) throw problems.authInvalid('invalid api key');
      res.json(key);
    },
    { before: [requireServiceToken(deps.config.SERVICE_TOKEN)] },
  );
}

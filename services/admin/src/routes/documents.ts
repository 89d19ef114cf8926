import type { Express, Response } from 'express';
import * as contract from '@recsys/contracts-admin';
import { z } from 'zod';
import { bindRoute } from '@recsys/platform/http';
import type { Deps } from '../deps.js';
import * as documents from '../domain/documents.js';
import { AdminCodes } from '../domain/codes.js';
import { parseIfMatch } from '../domain/etag.js';
import { validateConfig, validateRules } from '../domain/validation.js';
import { actorOf, documentJson, type Guards } from './guards.js';

/** The document body is validated by the domain (422 with pointers), so the binding accepts any JSON value. */
function anyJsonBody<R extends { request: object }>(route: R): R {
  return { ...route, request: { ...route.request, body: z.unknown() } };
}

export function registerDocumentRoutes(app: Express, deps: Deps, guards: Guards): void {
  for (const kind of ['config', 'rules'] as const) {
    const routes = kind === 'config' ? contract.configRoutes : contract.rulesRoutes;
    const code = kind === 'config' ? AdminCodes.INVALID_CONFIG : AdminCodes.INVALID_RULES;
    const respond = (res: Response, tenantRef: string, doc: documents.CurrentDocument) => {
      res.setHeader('ETag', doc.version);
      res.json(
        kind === 'config'
          ? { tenant_id: tenantRef, config_version: doc.version, config: doc.document }
          : { tenant_id: tenantRef, rules_version: doc.version, rules: doc.document },
      );
    };
    const bindOptions = { invalidCode: code, unprocessableCode: code };

    bindRoute(
      app,
      routes.get,
      async ({ params }, _req, res) => {
        respond(res, params.tenant_id, await documents.getCurrent(deps.db, kind, params.tenant_id));
      },
      { before: guards.viewer },
    );
    bindRoute(
      app,
      anyJsonBody(routes.put),
      async ({ params, headers, body }, req, res) => {
        const written = await documents.writeDocument(
          deps.db,
          deps.control,
          kind,
          params.tenant_id,
          body,
          {
            ifMatch: parseIfMatch(headers['if-match']),
            ifNoneMatch: headers['if-none-match'],
          },
          actorOf(req, res),
        );
        respond(res, params.tenant_id, written);
      },
      { ...bindOptions, before: [...guards.operator, documentJson(code)] },
    );
    bindRoute(
      app,
      anyJsonBody(routes.validate),
      async ({ params, body }, _req, res) => {
        await documents.getTenantOrThrow(deps.db, params.tenant_id);
        if (kind === 'config') {
          const { config, warnings } = validateConfig(body);
          res.json({ valid: true, config, warnings });
        } else {
          const { rules, warnings } = validateRules(body);
          res.json({ valid: true, rules, warnings });
        }
      },
      { ...bindOptions, before: [...guards.operator, documentJson(code)] },
    );
    bindRoute(
      app,
      routes.versions,
      async ({ params, query }, _req, res) => {
        const list = await documents.listVersions(deps.db, kind, params.tenant_id, query.limit);
        res.json({ tenant_id: params.tenant_id, ...list });
      },
      { before: guards.viewer },
    );
    bindRoute(
      app,
      routes.rollback,
      async ({ params, headers, body }, req, res) => {
        const written = await documents.rollback(
          deps.db,
          deps.control,
          kind,
          params.tenant_id,
          body.version,
          parseIfMatch(headers['if-match']),
          actorOf(req, res),
        );
        respond(res, params.tenant_id, written);
      },
      { before: guards.operator },
    );
  }
}

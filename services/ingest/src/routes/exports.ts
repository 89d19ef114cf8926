import type { Express } from 'express';
import * as contract from '@recsys/contracts-ingest';
import { tenantOf } from '@recsys/platform/auth';
import { bindRoute, requestContext } from '@recsys/platform/http';
import type { Deps } from '../deps.js';
import { prepareExport, runExport, type ExportRequest } from '../domain/export.js';
import { guard } from './guards.js';

export function registerExportRoutes(app: Express, deps: Deps): void {
  bindRoute(
    app,
    contract.exportEvents,
    async ({ query }, _req, res) => {
      const request: ExportRequest = {
        tenantId: tenantOf(res),
        from: query.from,
        to: query.to,
        types: query.types,
        cursor: query.cursor,
        limit: query.limit,
      };
      prepareExport(request); // window and cursor errors become problem responses before streaming starts
      res.status(200).type('application/x-ndjson');
      res.setHeader('Cache-Control', 'no-store');
      try {
        await runExport(deps.db, request, async (lines) => {
          if (res.destroyed) throw new Error('client went away');
          if (!res.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n')) {
            await new Promise<void>((resolve, reject) => {
              res.once('drain', resolve);
              res.once('close', () => reject(new Error('client went away')));
            });
          }
        });
        res.end();
      } catch (error) {
        requestContext(res).log.warn({ err: error }, 'export interrupted');
        res.destroy();
      }
    },
    { before: guard(deps, 'viewer') },
  );
}

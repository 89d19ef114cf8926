import { createGunzip } from 'node:zlib';
import type { Express, Request, Response } from 'express';
import * as contract from '@recsys/contracts-ingest';
import { tenantOf } from '@recsys/platform/auth';
import { bindRoute, requestContext, toAppError } from '@recsys/platform/http';
import { problems } from '@recsys/platform/problem';
import type { Deps } from '../deps.js';
import { importNdjson } from '../domain/bulk.js';
import { normalizeContext, storeBatch } from '../domain/intake.js';
import { guard } from './guards.js';

const NDJSON_TYPES = /^application\/(x-ndjson|jsonl|x-jsonlines|ndjson)\b/i;

export function registerEventRoutes(app: Express, deps: Deps): void {
  const writer = guard(deps, 'viewer');
  bindRoute(
    app,
    contract.postExposures,
    async ({ body }, _req, res) => {
      res.json(await storeBatch(deps.store, deps.intake, 'exposure', body.events, tenantOf(res)));
    },
    { before: writer },
  );
  bindRoute(
    app,
    contract.postOutcomes,
    async ({ body }, _req, res) => {
      res.json(await storeBatch(deps.store, deps.intake, 'outcome', body.events, tenantOf(res)));
    },
    { before: writer },
  );
  bindRoute(
    app,
    contract.postAssignments,
    async ({ body }, _req, res) => {
      res.json(await storeBatch(deps.store, deps.intake, 'assignment', body.events, tenantOf(res)));
    },
    { before: writer },
  );
  bindRoute(
    app,
    contract.bulkImport,
    async ({ query }, req, res) => {
      if (!NDJSON_TYPES.test(req.get('content-type') ?? ''))
        throw problems.unsupportedMediaType('application/x-ndjson');
      const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
      if (encoding !== 'identity' && encoding !== 'gzip') {
        throw problems.unsupportedMediaType('application/x-ndjson with Content-Encoding identity or gzip');
      }
      await bulk(deps, req, res, tenantOf(res), query.report === 'errors', encoding === 'gzip');
    },
    { before: writer },
  );
}

async function bulk(
  deps: Deps,
  req: Request,
  res: Response,
  tenantId: string,
  errorsOnly: boolean,
  gzip: boolean,
) {
  const source = gzip ? req.pipe(createGunzip()) : req;
  res.status(200).type('application/x-ndjson');
  res.setHeader('Cache-Control', 'no-store');
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (res.destroyed) return reject(new Error('client went away'));
      if (res.write(text)) return resolve();
      const onDrain = () => {
        res.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        res.off('drain', onDrain);
        reject(new Error('client went away'));
      };
      res.once('drain', onDrain);
      res.once('close', onClose);
    });
  try {
    const summary = await importNdjson(
      source,
      deps.store,
      () => normalizeContext(deps.intake, tenantId),
      {
        chunkSize: deps.config.INGEST_BULK_CHUNK_SIZE,
        chunkBytes: deps.config.INGEST_BULK_CHUNK_BYTES,
        maxLineBytes: deps.config.INGEST_BULK_MAX_LINE_BYTES,
        errorsOnly,
      },
      async (results) => {
        if (results.length) await write(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
      },
    );
    await write(JSON.stringify(summary) + '\n');
    res.end();
  } catch (error) {
    const appError = toAppError(error);
    requestContext(res).log.warn({ err: error }, 'bulk import interrupted');
    // Results already written stand (they were committed); the missing summary tells the client to resume.
    if (!res.destroyed) {
      res.end(
        JSON.stringify({
          error: { code: appError.code, status: appError.status, detail: appError.message },
        }) + '\n',
      );
    }
  }
}

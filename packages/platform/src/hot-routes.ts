/**
 * Hot routes: a few contract routes answered straight from node:http, ahead of express. Express 5's
 * per-request machinery (router layers, body-parser, prototype swaps, response helpers) costs several times
 * what a ranking route's own HTTP work does (docs/benchmarks.md#serving), so serving's ranking endpoints take
 * this path for the common, well-formed request and leave everything else to express.
 *
 * A request is hot when method and path match exactly (no query string) and its body is plain JSON of a
 * declared length within the route's limit: `Content-Length` present, no `Transfer-Encoding`, no
 * `Content-Encoding`, a JSON content type in UTF-8. Any other request goes to the express app, where the same
 * route is bound with `bindRoute` and answers as before (gzip bodies, 413, 415, odd spellings of the path).
 * Both paths share request ids, HTTP metrics, validation (`validateRouteInput`) and problem bodies
 * (`writeProblem`), so a hot response is the response express would give (tested side by side).
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { RouteContract } from '@recsys/contract-kit';
import type { Express } from 'express';
import type { Logger } from './logger.js';
import type { HttpMetrics } from './metrics.js';
import { problems } from './problem.js';
import {
  JSON_CONTENT_TYPE,
  jsonBodyLimit,
  observeHttp,
  startRequestContext,
  validateRouteInput,
  writeProblem,
  type BindOptions,
  type RequestContext,
  type RouteInput,
} from './http.js';

/** What a hot route's guard and handler see. `locals` plays the part of express's `res.locals`. */
export interface HotContext {
  req: IncomingMessage;
  res: ServerResponse;
  ctx: RequestContext;
  locals: Record<string, unknown>;
}

export interface HotRoute<R extends RouteContract> {
  route: R;
  /** Runs before the body is validated, as `bindRoute`'s `before` middleware does (auth, tenant, limits). */
  before?: (hot: HotContext) => void | Promise<void>;
  handler: (input: RouteInput<R>, hot: HotContext) => void | Promise<void>;
  options?: Pick<BindOptions, 'invalidCode' | 'unprocessableCode'>;
}

/** Something `listen` can start: an express app, or an app with hot routes in front of it. */
export interface Listenable {
  listen(port: number, host: string, callback: (error?: Error) => void): Server;
}

interface Entry {
  route: HotRoute<RouteContract>;
  limit: number;
}

const UTF8_CHARSET = /;\s*charset\s*=\s*"?utf-8"?\s*$/i;

export class HotRoutes {
  private readonly routes = new Map<string, Entry>();

  constructor(private readonly options: { logger: Logger; metrics: HttpMetrics }) {}

  add<R extends RouteContract>(hot: HotRoute<R>): this {
    const { route } = hot;
    const limit = jsonBodyLimit(route);
    if (route.method !== 'post' || /\{/.test(route.path) || limit === undefined) {
      throw new Error(`hot routes take POST routes with a JSON body and no path parameters (${route.path})`);
    }
    this.routes.set(route.path, { route: hot as unknown as HotRoute<RouteContract>, limit });
    return this;
  }

  /** The app with these routes in front: `listen` starts a node:http server that tries them first. */
  in(app: Express): Listenable {
    const listener: RequestListener = (req, res) => {
      const entry = req.method === 'POST' ? this.routes.get(req.url ?? '') : undefined;
      if (entry && isPlainJson(req, entry.limit)) void this.serve(entry, req, res);
      else app(req, res);
    };
    return {
      listen: (port, host, callback) => {
        const server = createServer(listener);
        server.once('error', callback);
        return server.listen(port, host, () => {
          server.off('error', callback);
          callback();
        });
      },
    };
  }

  private async serve(entry: Entry, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { metrics, logger } = this.options;
    const { route } = entry.route;
    observeHttp(metrics, 'POST', res, () => route.path);
    const ctx = startRequestContext(req.headers, res, logger, route.path);
    const hot: HotContext = { req, res, ctx, locals: {} };
    const body = readBody(req);
    try {
      await entry.route.before?.(hot);
      const text = await body;
      let parsed: unknown;
      try {
        // body-parser's reading: a leading BOM is dropped and an empty body is an empty object.
        parsed = text.length === 0 ? {} : JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch (error) {
        throw problems.invalidRequest(`malformed JSON: ${(error as Error).message}`);
      }
      const input = validateRouteInput(
        route,
        { params: {}, query: {}, headers: req.headers, body: parsed },
        entry.route.options ?? {},
        ctx,
      );
      await entry.route.handler(input, hot);
    } catch (error) {
      body.catch(() => undefined);
      const appError = writeProblem(res, error, {
        method: 'POST',
        path: route.path,
        route: route.path,
        requestId: ctx.requestId,
        log: ctx.log,
        metrics,
      });
      hot.locals.problemCode = appError.code;
    }
  }
}

/** Plain JSON of a declared length within the limit; anything else is express's to answer. */
function isPlainJson(req: IncomingMessage, limit: number): boolean {
  const { headers } = req;
  const length = headers['content-length'];
  if (length === undefined || headers['transfer-encoding'] !== undefined) return false;
  if (headers['content-encoding'] !== undefined) return false;
  const bytes = Number(length);
  if (!(bytes > 0 && bytes <= limit)) return false;
  const type = headers['content-type'];
  if (type === undefined || !JSON_CONTENT_TYPE.test(type)) return false;
  const semicolon = type.indexOf(';');
  return semicolon < 0 || UTF8_CHARSET.test(type.slice(semicolon));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', () => reject(problems.invalidRequest('request aborted')));
    req.on('aborted', () => reject(problems.invalidRequest('request aborted')));
  });
}

/** A JSON answer as express's `res.json` writes it. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** As sendJson, for a body already serialized. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  json: string,
  headers: Record<string, string> = {},
): void {
  res.statusCode = status;
  for (const name in headers) res.setHeader(name, headers[name]!);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

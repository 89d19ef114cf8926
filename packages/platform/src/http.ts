import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import { trace } from '@opentelemetry/api';
import type { RouteContract } from '@recsys/contract-kit';
import type { z } from 'zod';
import type { HealthRegistry } from './health.js';
import type { Logger } from './logger.js';
import type { HttpMetrics } from './metrics.js';
import { AppError, CommonCodes, problems, toProblemBody, type FieldError } from './problem.js';

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:\-/]{1,128}$/;
/** Content types a JSON route accepts (`application/json`, `application/<x>+json`, any parameters). */
export const JSON_CONTENT_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

/** Per-request values every handler can reach through `requestContext(res)`. */
export interface RequestContext {
  requestId: string;
  traceId: string | undefined;
  log: Logger;
  /** Route template used as the metrics label (never the raw path). */
  route: string;
}

export function requestContext(res: Response): RequestContext {
  return res.locals.ctx as RequestContext;
}

export interface BaseAppOptions {
  service: string;
  version: string;
  logger: Logger;
  metrics: HttpMetrics;
  health: HealthRegistry;
  /** Set while draining on shutdown: /readyz answers 503 so load balancers stop routing here. */
  isDraining?: () => boolean;
  /** What /metrics renders (default: the registry; in a cluster worker, every worker's, see cluster.ts). */
  metricsText?: () => Promise<string>;
}

/**
 * An express app with the cross-cutting middleware and the ops routes mounted. The service adds its routes,
 * then calls `finalizeApp` to append the 404 and problem+json handlers.
 */
export function createBaseApp(options: BaseAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(contextMiddleware(options.logger));
  app.use(metricsMiddleware(options.metrics));

  const ops = (route: string, handler: RequestHandler) =>
    app.get(route, (req, res, next) => {
      requestContext(res).route = route;
      return handler(req, res, next);
    });
  ops('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  ops('/readyz', async (_req, res) => {
    const report = await options.health.report();
    if (options.isDraining?.()) {
      report.status = 'unavailable';
      report.checks.shutdown = { status: 'unavailable', detail: 'draining' };
    }
    res.status(report.status === 'unavailable' ? 503 : 200).json(report);
  });
  ops('/health/detailed', async (_req, res) => {
    res.json(await options.health.report());
  });
  const metricsText = options.metricsText ?? (() => options.metrics.registry.metrics());
  ops('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await metricsText());
  });
  return app;
}

export function finalizeApp(app: Express, metrics: HttpMetrics): Express {
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(problems.routeNotFound(req.method, req.path));
  });
  app.use(problemMiddleware(metrics));
  return app;
}

function contextMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    res.locals.ctx = startRequestContext(req.headers, res, logger, 'unmatched');
    next();
  };
}

/** The request's context (ids, child logger, route label), with X-Request-Id set on the response. */
export function startRequestContext(
  headers: IncomingHttpHeaders,
  res: ServerResponse,
  logger: Logger,
  route: string,
): RequestContext {
  const { requestId, traceId } = requestIds(headers);
  res.setHeader('X-Request-Id', requestId);
  return new LazyLogContext(requestId, traceId, route, logger);
}

/**
 * Most requests log nothing: the child logger is made on first use. (A class: V8 builds an object literal with
 * a getter on a slow path, on every request.)
 */
class LazyLogContext implements RequestContext {
  private child: Logger | undefined;

  constructor(
    readonly requestId: string,
    readonly traceId: string | undefined,
    public route: string,
    private readonly logger: Logger,
  ) {}

  get log(): Logger {
    return (this.child ??= this.logger.child({
      request_id: this.requestId,
      ...(this.traceId ? { trace_id: this.traceId } : {}),
    }));
  }
}

/** The request id (the caller's X-Request-Id when well-formed, else a new one) and the trace id. */
function requestIds(headers: IncomingHttpHeaders): { requestId: string; traceId: string | undefined } {
  const incoming = headers['x-request-id'];
  const requestId =
    typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
  const traceparent = headers.traceparent;
  const traceId =
    trace.getActiveSpan()?.spanContext().traceId ??
    traceIdFromHeader(typeof traceparent === 'string' ? traceparent : undefined);
  return { requestId, traceId };
}

function traceIdFromHeader(traceparent: string | undefined): string | undefined {
  const match = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent) : null;
  return match?.[1];
}

function metricsMiddleware(metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    observeHttp(metrics, req.method, res, () => (res.locals.ctx as RequestContext | undefined)?.route);
    next();
  };
}

/** Counts the request and its duration under its route label once the response is finished. */
export function observeHttp(
  metrics: HttpMetrics,
  method: string,
  res: ServerResponse,
  routeOf: () => string | undefined,
): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const labels = { method, route: routeOf() ?? 'unmatched', status: String(res.statusCode) };
    metrics.requestsTotal.inc(labels);
    metrics.requestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  });
}

function problemMiddleware(metrics: HttpMetrics): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const ctx = res.locals.ctx as RequestContext | undefined;
    const appError = writeProblem(res, error, {
      method: req.method,
      path: req.path,
      route: ctx?.route ?? 'unmatched',
      requestId: ctx?.requestId,
      log: ctx?.log,
      metrics,
    });
    res.locals.problemCode = appError.code;
  };
}

/**
 * Answers with the problem+json body of `error` (logging internal errors, counting every one) and returns
 * the AppError it was mapped to. Shared by the express error handler and the hot routes.
 */
export function writeProblem(
  res: ServerResponse,
  error: unknown,
  request: {
    method: string;
    path: string;
    route: string;
    requestId: string | undefined;
    log: Logger | undefined;
    metrics: HttpMetrics;
  },
): AppError {
  const appError = toAppError(error);
  const log = request.log ?? console;
  if (appError.status >= 500 && appError.code === CommonCodes.INTERNAL) {
    log.error({ err: error, path: request.path }, 'unhandled error');
  } else if (appError !== error && appError.code === CommonCodes.UNAVAILABLE) {
    log.warn({ err: error, path: request.path }, 'dependency unavailable');
  }
  request.metrics.errorsTotal.inc({ method: request.method, route: request.route, code: appError.code });
  if (res.headersSent) {
    res.destroy();
    return appError;
  }
  if (appError.retryAfterSeconds !== undefined) {
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(appError.retryAfterSeconds))));
  }
  for (const [name, value] of Object.entries(appError.headers ?? {})) res.setHeader(name, value);
  const body = JSON.stringify(toProblemBody(appError, request.path, request.requestId));
  res.statusCode = appError.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
  return appError;
}

/** Maps body-parser and other framework errors onto the problem catalogue. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { type?: string; status?: number; limit?: number; message?: string };
  switch (e?.type) {
    case 'entity.too.large':
      return problems.payloadTooLarge(e.limit ?? DEFAULT_BODY_LIMIT_BYTES);
    case 'entity.parse.failed':
      return problems.invalidRequest(`malformed JSON: ${e.message ?? 'parse error'}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problems.unsupportedMediaType('application/json; charset=utf-8');
    case 'request.aborted':
      return problems.invalidRequest('request aborted');
  }
  if (e?.status && e.status >= 400 && e.status < 500)
    return problems.invalidRequest(e.message ?? 'bad request');
  if (isDependencyUnavailable(error))
    return problems.unavailable('a dependency the operation needs is unavailable', 1);
  return problems.internal(error);
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Errors that say a dependency (Postgres, Redis, an upstream service) cannot be reached right now rather
 * than that the request or the code is wrong: socket errors, a Postgres connection that ended or is
 * shutting down / starting up (SQLSTATE class 08, 57P01–57P03, 53300), pool and client connection timeouts,
 * and ioredis refusing commands while disconnected. They map to 503 RECSYS_UNAVAILABLE with Retry-After,
 * so clients retry instead of treating the outage as a bug.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; name?: unknown; errors?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNREACHABLE_CODES.has(code)) return true;
  if (/^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (
    /^Connection terminated( unexpectedly)?$|timeout exceeded when trying to connect|is not queryable|^Connection is closed\.?$|Stream isn't writeable|Reached the max retries per request limit/.test(
      message,
    )
  )
    return true;
  return e.name === 'AggregateError' && Array.isArray(e.errors) && e.errors.some(isDependencyUnavailable);
}

// ---- route binding ---------------------------------------------------------------------------------------

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type Req<R extends RouteContract> = NonNullable<R['request']>;

export interface RouteInput<R extends RouteContract> {
  params: Out<Req<R>['params']>;
  query: Out<Req<R>['query']>;
  body: Out<Req<R>['body']>;
  headers: Out<Req<R>['headers']>;
  ctx: RequestContext;
}

export interface BindOptions {
  /** Problem code for 400-class validation failures (default RECSYS_INVALID_REQUEST). */
  invalidCode?: string;
  /** Problem code for failures the contract marks as 422 (default RECSYS_UNPROCESSABLE_ENTITY). */
  unprocessableCode?: string;
  /** Middleware run before validation (authentication, rate limits, backpressure). */
  before?: RequestHandler[];
}

const parsers = new Map<number, RequestHandler>();
function jsonParser(limit: number): RequestHandler {
  let parser = parsers.get(limit);
  if (!parser) {
    parser = express.json({ limit, strict: false, type: () => true });
    parsers.set(limit, parser);
  }
  return parser;
}

/**
 * Binds a contract route to a handler: validates path, query, headers and JSON body against the contract's
 * schemas (400, or 422 for issues the schema marks with `params: { status: 422 }`), then runs the handler.
 * Express 5 forwards rejected promises to the problem middleware, so handlers need no try/catch.
 */
export function bindRoute<R extends RouteContract>(
  router: Router | Express,
  route: R,
  handler: (input: RouteInput<R>, req: Request, res: Response) => unknown,
  options: BindOptions = {},
): void {
  const expressPath = route.path.replace(/\{([^}]+)\}/g, ':$1');
  const jsonLimit = jsonBodyLimit(route);
  const isJsonBody = jsonLimit !== undefined;
  const limit = jsonLimit ?? DEFAULT_BODY_LIMIT_BYTES;

  const setRoute: RequestHandler = (_req, res, next) => {
    requestContext(res).route = route.path;
    next();
  };
  const chain: RequestHandler[] = [setRoute, ...(options.before ?? [])];
  if (isJsonBody) {
    chain.push((req, _res, next) => {
      const length = Number(req.get('content-length') ?? NaN);
      if (length === 0 || (!req.get('content-length') && !req.get('transfer-encoding'))) {
        return next(
          validationError([{ pointer: '', in: 'body', message: 'request body is required' }], options, false),
        );
      }
      const type = req.get('content-type') ?? '';
      if (!JSON_CONTENT_TYPE.test(type)) return next(problems.unsupportedMediaType('application/json'));
      next();
    });
    chain.push(jsonParser(limit));
  }
  chain.push(async (req, res) => {
    const input = validateRouteInput(
      route,
      { params: req.params, query: req.query ?? {}, headers: req.headers, body: req.body },
      options,
      requestContext(res),
    );
    await handler(input, req, res);
  });
  (router as Router)[route.method](expressPath, ...chain);
}

/** The body limit of a route that takes a JSON body; undefined for routes without one (or with NDJSON). */
export function jsonBodyLimit(route: RouteContract): number | undefined {
  const request = route.request;
  if (!request?.body || (request.bodyContentType ?? 'application/json') !== 'application/json')
    return undefined;
  return request.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
}

/**
 * Validates path, query, headers and (for JSON routes) the body against the route's schemas; throws the
 * 400 / 422 problem listing every issue. Shared by `bindRoute` and the hot routes.
 */
export function validateRouteInput<R extends RouteContract>(
  route: R,
  raw: { params: unknown; query: unknown; headers: unknown; body: unknown },
  options: Pick<BindOptions, 'invalidCode' | 'unprocessableCode'>,
  ctx: RequestContext,
): RouteInput<R> {
  const request = route.request;
  const isJsonBody = jsonBodyLimit(route) !== undefined;
  const issues: FieldError[] = [];
  let unprocessableOnly = true;
  const check = <S extends z.ZodType | undefined>(
    schema: S,
    value: unknown,
    where: FieldError['in'],
  ): Out<S> => {
    if (!schema) return undefined as Out<S>;
    const result = schema.safeParse(value);
    if (result.success) return result.data as Out<S>;
    for (const issue of result.error.issues) {
      const status = (issue as { params?: { status?: number } }).params?.status;
      if (status !== 422) unprocessableOnly = false;
      issues.push(...toFieldErrors(issue, where));
    }
    return undefined as Out<S>;
  };
  const input = {
    params: check(request?.params, raw.params, 'path'),
    query: check(request?.query, raw.query, 'query'),
    headers: check(request?.headers, raw.headers, 'header'),
    body: isJsonBody ? check(request?.body, raw.body, 'body') : undefined,
    ctx,
  } as RouteInput<R>;
  if (issues.length) throw validationError(issues, options, unprocessableOnly);
  return input;
}

function toFieldErrors(issue: z.core.$ZodIssue, where: FieldError['in']): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      pointer: pointerOf([...issue.path, key]),
      in: where,
      message: 'unknown field',
    }));
  }
  return [{ pointer: pointerOf(issue.path), in: where, message: issue.message }];
}

function pointerOf(path: PropertyKey[]): string {
  return path.map((p) => '/' + String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

function validationError(
  issues: FieldError[],
  options: Pick<BindOptions, 'invalidCode' | 'unprocessableCode'>,
  unprocessable: boolean,
): AppError {
  const detail = issues
    .map((i) => {
      const field = i.pointer.slice(1).replaceAll('/', '.');
      return field ? `${field} ${i.message}` : i.message;
    })
    .join('; ');
  return new AppError({
    code: unprocessable
      ? (options.unprocessableCode ?? CommonCodes.UNPROCESSABLE)
      : (options.invalidCode ?? CommonCodes.INVALID_REQUEST),
    status: unprocessable ? 422 : 400,
    detail,
    errors: issues,
  });
}

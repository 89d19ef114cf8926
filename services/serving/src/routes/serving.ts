import type { ServerResponse } from 'node:http';
import type { Express, RequestHandler } from 'express';
import * as contract from '@recsys/contracts-serving';
import type { Principal } from '@recsys/platform/auth';
import { principalOf, tenantOf } from '@recsys/platform/auth';
import { bindRoute, requestContext, type RouteInput } from '@recsys/platform/http';
import { HotRoutes, sendJsonText, type HotContext } from '@recsys/platform/hot-routes';
import { problems } from '@recsys/platform/problem';
import type { Deps } from '../deps.js';
import type { Caller, Served } from '../serve.js';
import { servedJson } from '../wire-json.js';

/**
 * The public serving routes. /v1/recommend and /v1/similar are hot routes (answered from node:http for
 * well-formed requests, see @recsys/platform/hot-routes) and bound on express for everything else; both
 * paths run the same steps: observe → authenticate → tenant scope → rate limit → validate → serve.
 */

const OUTCOMES: Record<number, string> = {
  200: 'success',
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'invalid_request',
  415: 'invalid_request',
  422: 'validation_failed',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'overload',
};

type Endpoint = 'recommend' | 'similar';

/** Request count, latency, emptiness and warnings per endpoint and tenant (reference metric names). */
function observe(deps: Deps, endpoint: Endpoint, res: ServerResponse, locals: Record<string, unknown>): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const tenant = (locals.tenantId as string | undefined) ?? 'unknown';
    let outcome = OUTCOMES[res.statusCode] ?? 'internal_error';
    if (locals.problemCode === 'RECSYS_ARTIFACT_INCOMPATIBLE') outcome = 'artifact_incompatible';
    const returned = (locals.returned as number | undefined) ?? 0;
    const empty = outcome === 'success' && returned === 0 ? 'true' : 'false';
    const m = deps.serving;
    m.requests.inc({ endpoint, tenant, outcome, empty });
    m.latency.observe({ endpoint, tenant, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    if (outcome === 'success') {
      m.returnedItems.observe({ endpoint }, returned);
      m.warnings.observe({ endpoint }, (locals.warnings as number | undefined) ?? 0);
    }
  });
}

/** Per-tenant token bucket shared across replicas (429 + Retry-After). */
async function checkRateLimit(deps: Deps, tenant: string): Promise<void> {
  const limiter = deps.rateLimiter;
  if (!limiter) return;
  const decision = await limiter.take(tenant);
  if (decision.allowed) return;
  deps.serving.rateLimited.inc({ tenant });
  throw problems.rateLimited(decision.retryAfterSeconds);
}

function callerOf(
  deps: Deps,
  principal: Principal,
  tenantId: string,
  requestId: string,
  previewVersion: string | undefined,
): Caller {
  return {
    tenantId,
    requestId,
    isAdmin: deps.auth.hasRole(principal, 'admin'),
    isOperator: deps.auth.hasRole(principal, 'operator'),
    ...(previewVersion ? { previewVersion } : {}),
  };
}

type RankingRoute = typeof contract.recommend | typeof contract.similar;

/**
 * Serves one ranking request and writes its answer; the exposure is emitted after the response. `locals` holds
 * what the guards resolved (principal, tenantId): express's `res.locals`, or the hot route's own.
 */
async function answer<R extends RankingRoute>(
  deps: Deps,
  serve: (caller: Caller, body: RouteInput<R>['body']) => Promise<Served>,
  input: RouteInput<R>,
  res: ServerResponse,
  locals: Record<string, unknown>,
): Promise<void> {
  const caller = callerOf(
    deps,
    locals.principal as Principal,
    locals.tenantId as string,
    input.ctx.requestId,
    input.headers['x-recsys-signal-version'],
  );
  const served = await serve(caller, input.body);
  locals.returned = served.body.items.length;
  locals.warnings = served.body.warnings?.length ?? 0;
  const json = servedJson(served.body, served.exposure);
  sendJsonText(res, 200, json.response, { 'Cache-Control': 'no-store' });
  deps.service.emit(served.exposure, json.exposure);
}

export function registerServingRoutes(app: Express, deps: Deps): HotRoutes {
  const rateLimit: RequestHandler = async (_req, res, next) => {
    try {
      await checkRateLimit(deps, tenantOf(res));
      next();
    } catch (error) {
      next(error);
    }
  };
  const guard = [deps.auth.authenticate, deps.auth.tenantScope(), rateLimit];
  const hot = new HotRoutes({ logger: deps.logger, metrics: deps.metrics });

  const ranking = <R extends RankingRoute>(
    route: R,
    endpoint: Endpoint,
    serve: (caller: Caller, body: RouteInput<R>['body']) => Promise<Served>,
  ): void => {
    bindRoute(app, route, (input, _req, res) => answer(deps, serve, input, res, res.locals), {
      before: [
        (_req, res, next) => {
          observe(deps, endpoint, res, res.locals);
          next();
        },
        ...guard,
      ],
    });
    hot.add({
      route,
      before: async ({ req, res, locals }: HotContext) => {
        observe(deps, endpoint, res, locals);
        const principal = await deps.auth.principalFor(req.headers);
        locals.principal = principal;
        locals.tenantId = deps.auth.tenantFor(principal, req.headers);
        await checkRateLimit(deps, locals.tenantId as string);
      },
      handler: (input, { res, locals }) => answer(deps, serve, input, res, locals),
    });
  };

  ranking(contract.recommend, 'recommend', (caller, body) => deps.service.recommend(caller, body));
  ranking(contract.similar, 'similar', (caller, body) => deps.service.similar(caller, body));

  bindRoute(
    app,
    contract.validateRecommend,
    ({ body }, _req, res) => {
      const caller = callerOf(
        deps,
        principalOf(res),
        tenantOf(res),
        requestContext(res).requestId,
        undefined,
      );
      res.json(deps.service.validate(caller, body));
    },
    { before: guard },
  );
  return hot;
}

import type { Express, RequestHandler, Response } from 'express';
import * as contract from '@recsys/contracts-serving';
import { principalOf, tenantOf } from '@recsys/platform/auth';
import { bindRoute, requestContext } from '@recsys/platform/http';
import { problems } from '@recsys/platform/problem';
import type { Deps } from '../deps.js';
import type { Caller } from '../serve.js';

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

/** Request count, latency, emptiness and warnings per endpoint and tenant (reference metric names). */
function observe(deps: Deps, endpoint: 'recommend' | 'similar'): RequestHandler {
  return (_req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const tenant = (res.locals.tenantId as string | undefined) ?? 'unknown';
      let outcome = OUTCOMES[res.statusCode] ?? 'internal_error';
      if (res.locals.problemCode === 'RECSYS_ARTIFACT_INCOMPATIBLE') outcome = 'artifact_incompatible';
      const empty = outcome === 'success' && res.locals.returned === 0 ? 'true' : 'false';
      const m = deps.serving;
      m.requests.inc({ endpoint, tenant, outcome, empty });
      m.latency.observe({ endpoint, tenant, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      if (outcome === 'success') {
        m.returnedItems.observe({ endpoint }, res.locals.returned ?? 0);
        m.warnings.observe({ endpoint }, res.locals.warnings ?? 0);
      }
    });
    next();
  };
}

/** Per-tenant token bucket shared across replicas (429 + Retry-After). */
function rateLimit(deps: Deps): RequestHandler {
  return async (_req, res, next) => {
    const limiter = deps.rateLimiter;
    if (!limiter) return next();
    try {
      const tenant = tenantOf(res);
      const decision = await limiter.take(tenant);
      if (decision.allowed) return next();
      deps.serving.rateLimited.inc({ tenant });
      next(problems.rateLimited(decision.retryAfterSeconds));
    } catch (error) {
      next(error);
    }
  };
}

function callerOf(deps: Deps, res: Response, previewVersion: string | undefined): Caller {
  const principal = principalOf(res);
  return {
    tenantId: tenantOf(res),
    requestId: requestContext(res).requestId,
    isAdmin: deps.auth.hasRole(principal, 'admin'),
    isOperator: deps.auth.hasRole(principal, 'operator'),
    ...(previewVersion ? { previewVersion } : {}),
  };
}

export function registerServingRoutes(app: Express, deps: Deps): void {
  const guard = [deps.auth.authenticate, deps.auth.tenantScope(), rateLimit(deps)];

  bindRoute(
    app,
    contract.recommend,
    async ({ body, headers }, _req, res) => {
      const caller = callerOf(deps, res, headers['x-recsys-signal-version']);
      const served = await deps.service.recommend(caller, body);
      res.locals.returned = served.body.items.length;
      res.locals.warnings = served.body.warnings?.length ?? 0;
      res.setHeader('Cache-Control', 'no-store');
      res.json(served.body);
      deps.service.emit(served.exposure);
    },
    { before: [observe(deps, 'recommend'), ...guard] },
  );

  bindRoute(
    app,
    contract.validateRecommend,
    ({ body }, _req, res) => {
      res.json(deps.service.validate(callerOf(deps, res, undefined), body));
    },
    { before: guard },
  );

  bindRoute(
    app,
    contract.similar,
    async ({ body, headers }, _req, res) => {
      const caller = callerOf(deps, res, headers['x-recsys-signal-version']);
      const served = await deps.service.similar(caller, body);
      res.locals.returned = served.body.items.length;
      res.locals.warnings = served.body.warnings?.length ?? 0;
      res.setHeader('Cache-Control', 'no-store');
      res.json(served.body);
      deps.service.emit(served.exposure);
    },
    { before: [observe(deps, 'similar'), ...guard] },
  );
}

import express, { type Request, type RequestHandler, type Response } from 'express';
import { principalOf, type Auth, type Principal } from '@recsys/platform/auth';
import { requestContext } from '@recsys/platform/http';
import { AppError, problems } from '@recsys/platform/problem';
import { findTenant, type Db } from '../db/tenant.repository.js';
import type { Actor } from '../domain/audit.js';
import { adminProblems } from '../domain/codes.js';

export interface Guards {
  /** Any authenticated caller whose tenant matches the URL, with at least the viewer role. */
  viewer: RequestHandler[];
  /** …with at least the operator role (config, rules, cache). */
  operator: RequestHandler[];
  /** …with the admin role (keys). */
  admin: RequestHandler[];
  /** Cross-tenant admins only (service token, or a credential holding the cross-tenant role). */
  crossTenantAdmin: RequestHandler[];
}

export function createGuards(auth: Auth, db: Db): Guards {
  // A disabled tenant's own callers are refused (API keys already are, by verifyKey; this covers JWT and dev
  // callers). Cross-tenant callers still reach it, so that it can be inspected and enabled again.
  const tenantActive: RequestHandler = async (req, res, next) => {
    if (principalOf(res).crossTenant) return next();
    const ref = (req.params as Record<string, string | undefined>).tenant_id;
    const tenant = ref ? await findTenant(db, ref) : undefined;
    if (tenant?.status === 'disabled') return next(adminProblems.tenantDisabled());
    next();
  };
  const scoped = (role: 'viewer' | 'operator' | 'admin') => [
    auth.authenticate,
    auth.tenantScope('tenant_id'),
    tenantActive,
    auth.requireRole(role),
  ];
  const crossTenant: RequestHandler = (_req, res, next) => {
    const principal = principalOf(res);
    if (!principal.crossTenant || !auth.hasRole(principal, 'admin')) {
      return next(problems.forbidden('requires a cross-tenant admin'));
    }
    next();
  };
  return {
    viewer: scoped('viewer'),
    operator: scoped('operator'),
    admin: scoped('admin'),
    crossTenantAdmin: [auth.authenticate, crossTenant],
  };
}

const ACTOR_TYPE: Record<Principal['kind'], Actor['type']> = {
  api_key: 'api_key',
  jwt: 'user',
  dev: 'user',
  service: 'service',
};

/** The audit identity of the caller of this request. */
export function actorOf(req: Request, res: Response): Actor & { crossTenant: boolean } {
  const principal = principalOf(res);
  return {
    sub: principal.subject,
    type: ACTOR_TYPE[principal.kind],
    crossTenant: principal.crossTenant,
    requestId: requestContext(res).requestId,
    ip: req.socket.remoteAddress ?? undefined,
    userAgent: req.get('user-agent') ?? undefined,
  };
}

/**
 * Parses a JSON document body before the route's own parser so that malformed JSON is reported with the
 * document's own code (400 RECSYS_INVALID_CONFIG / RECSYS_INVALID_RULES), as the reference does.
 */
export function documentJson(code: string, limitBytes = 1024 * 1024): RequestHandler {
  const parse = express.json({ limit: limitBytes, strict: false, type: () => true });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      const e = error as { type?: string; message?: string } | undefined;
      if (e?.type === 'entity.parse.failed') {
        return next(
          new AppError({ code, status: 400, detail: `invalid JSON: ${e.message ?? 'parse error'}` }),
        );
      }
      next(error);
    });
  };
}

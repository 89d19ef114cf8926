import type { RequestHandler } from 'express';
import type { Role } from '@recsys/platform/auth';
import { principalOf, tenantOf } from '@recsys/platform/auth';
import type { Deps } from '../deps.js';

/** Authenticate, resolve the tenant scope, require a role, and check the tenant exists. */
export function guard(deps: Deps, role: Role): RequestHandler[] {
  const known: RequestHandler = async (_req, res, next) => {
    try {
      await deps.tenantGate.check(principalOf(res), tenantOf(res));
      next();
    } catch (error) {
      next(error);
    }
  };
  return [deps.auth.authenticate, deps.auth.tenantScope(), deps.auth.requireRole(role), known];
}

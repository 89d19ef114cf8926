/**
 * Authentication, tenant scope and RBAC shared by every service. Credentials, in order of precedence:
 * X-Service-Token (other RecSys services), X-API-Key (verified by admin, cached), `Authorization: Bearer`
 * JWT (verified against a JWKS with jose), and dev headers (only when explicitly enabled, never in
 * production). Names and defaults follow the reference's AUTH_* / JWT_* / API_KEY_* / DEV_AUTH_* settings.
 */
import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler, Response } from 'express';
import {
  createRemoteJWKSet,
  jwtVerify,
  errors as joseErrors,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';
import { zBool, zCsv, zDuration } from './config.js';
import type { InternalClient } from './internal-http.js';
import { secretsEqual, SERVICE_TOKEN_HEADER } from './internal-http.js';
import { AppError, problems } from './problem.js';

export type Role = 'viewer' | 'operator' | 'admin';

export interface Principal {
  kind: 'api_key' | 'jwt' | 'dev' | 'service';
  /** `api-key:<id>`, the JWT subject, the dev user id, or `service`. */
  subject: string;
  /** Tenant the credential is bound to (external id); undefined for cross-tenant callers without one. */
  tenantId?: string;
  /** Lower-cased role names as presented by the credential. */
  roles: string[];
  keyId?: string;
  /** Holds the cross-tenant admin role (or is a service): may act on any tenant. */
  crossTenant: boolean;
}

export interface VerifiedKey {
  key_id: string;
  tenant_id: string;
  roles: string[];
  expires_at: string | null;
}

/** Resolves an API key; null when unknown, revoked or expired. May throw an AppError (e.g. tenant disabled). */
export type ApiKeyVerifier = (apiKey: string) => Promise<VerifiedKey | null>;

export const AuthCodes = {
  /** Tenant sources (credential, header, URL) disagree. */
  TENANT_SCOPE_MISMATCH: 'RECSYS_TENANT_SCOPE_MISMATCH',
  /** No tenant could be determined, or it did not come from a credential where one is required. */
  TENANT_SCOPE_REQUIRED: 'RECSYS_TENANT_SCOPE_REQUIRED',
  /** Tenant header repeated or containing a comma or whitespace. */
  TENANT_SCOPE_INVALID: 'RECSYS_TENANT_SCOPE_INVALID',
} as const;

/** Env fields to spread into a service's config schema. */
export const authEnv = {
  /** Require credentials on /v1 routes. */
  AUTH_REQUIRED: zBool(true),
  /** Tenant must come from a JWT claim or API key (not only from the header). */
  AUTH_REQUIRE_TENANT_CLAIM: zBool(false),
  TENANT_HEADER_NAME: z.string().default('X-Org-Id'),
  AUTH_TENANT_CLAIMS: zCsv(['tenant_id', 'org_id', 'orgId', 'organization_id']),
  AUTH_ROLE_CLAIMS: zCsv(['roles', 'role', 'scope', 'scopes']),
  AUTH_VIEWER_ROLE: z.string().default('viewer'),
  AUTH_OPERATOR_ROLE: z.string().default('operator'),
  AUTH_ADMIN_ROLE: z.string().default('admin'),
  /** Role that may act on every tenant (platform operators). */
  AUTH_CROSS_TENANT_ROLE: z.string().default('platform-admin'),
  AUTH_JWKS_ALLOWED_HOSTS: zCsv([]),
  AUTH_ALLOW_INSECURE_JWKS: zBool(false),
  JWT_AUTH_ENABLED: zBool(false),
  JWT_JWKS_URL: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_ALLOWED_ALGORITHMS: zCsv(['RS256', 'ES256', 'EdDSA']),
  JWT_ALLOWED_CLOCK_SKEW: zDuration('30s'),
  JWT_JWKS_REFRESH_INTERVAL: zDuration('10m'),
  JWT_JWKS_REFRESH_TIMEOUT: zDuration('5s'),
  API_KEY_ENABLED: zBool(true),
  API_KEY_HEADER: z.string().default('X-API-Key'),
  /** How long a verified (or refused) API key is cached by services that verify through admin. */
  API_KEY_CACHE_TTL: zDuration('30s'),
  DEV_AUTH_ENABLED: zBool(false),
  DEV_AUTH_USER_ID_HEADER: z.string().default('X-Dev-User-Id'),
  DEV_AUTH_TENANT_HEADER: z.string().default('X-Dev-Org-Id'),
  DEV_AUTH_ROLES_HEADER: z.string().default('X-Dev-Roles'),
};

type AuthEnv = { readonly [K in keyof typeof authEnv]?: z.output<(typeof authEnv)[K]> } & {
  readonly ENV?: string;
};

export interface AuthSettings {
  production: boolean;
  required: boolean;
  requireTenantClaim: boolean;
  tenantHeader: string;
  roles: { viewer: string; operator: string; admin: string; crossTenant: string };
  apiKey: { enabled: boolean; header: string };
  jwt?: {
    jwksUrl: string;
    issuer?: string;
    audience?: string;
    algorithms: string[];
    clockSkewSeconds: number;
    allowedHosts: string[];
    allowInsecure: boolean;
    tenantClaims: string[];
    roleClaims: string[];
    cooldownMs: number;
    timeoutMs: number;
  };
  dev?: { userHeader: string; tenantHeader: string; rolesHeader: string };
}

export function authSettingsFromConfig(partial: AuthEnv): AuthSettings {
  // Parsing with the schema fills defaults for anything the caller's config left out.
  const config = { ...z.object(authEnv).parse({}), ...stripUndefined(partial) } as Required<AuthEnv>;
  return {
    production: config.ENV === 'production',
    required: config.AUTH_REQUIRED,
    requireTenantClaim: config.AUTH_REQUIRE_TENANT_CLAIM,
    tenantHeader: config.TENANT_HEADER_NAME,
    roles: {
      viewer: config.AUTH_VIEWER_ROLE.toLowerCase(),
      operator: config.AUTH_OPERATOR_ROLE.toLowerCase(),
      admin: config.AUTH_ADMIN_ROLE.toLowerCase(),
      crossTenant: config.AUTH_CROSS_TENANT_ROLE.toLowerCase(),
    },
    apiKey: { enabled: config.API_KEY_ENABLED, header: config.API_KEY_HEADER },
    ...(config.JWT_AUTH_ENABLED
      ? {
          jwt: {
            jwksUrl: config.JWT_JWKS_URL ?? '',
            issuer: config.JWT_ISSUER,
            audience: config.JWT_AUDIENCE,
            algorithms: config.JWT_ALLOWED_ALGORITHMS,
            clockSkewSeconds: Math.round(config.JWT_ALLOWED_CLOCK_SKEW / 1000),
            allowedHosts: config.AUTH_JWKS_ALLOWED_HOSTS,
            allowInsecure: config.AUTH_ALLOW_INSECURE_JWKS,
            tenantClaims: config.AUTH_TENANT_CLAIMS,
            roleClaims: config.AUTH_ROLE_CLAIMS,
            cooldownMs: config.JWT_JWKS_REFRESH_INTERVAL,
            timeoutMs: config.JWT_JWKS_REFRESH_TIMEOUT,
          },
        }
      : {}),
    ...(config.DEV_AUTH_ENABLED
      ? {
          dev: {
            userHeader: config.DEV_AUTH_USER_ID_HEADER,
            tenantHeader: config.DEV_AUTH_TENANT_HEADER,
            rolesHeader: config.DEV_AUTH_ROLES_HEADER,
          },
        }
      : {}),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

export interface Auth {
  authenticate: RequestHandler;
  tenantScope: (urlParam?: string) => RequestHandler;
  /**
   * What `authenticate` does, for request headers outside express (serving's hot routes): the caller's
   * principal, an anonymous one when credentials are optional, or an AppError (401) to answer with.
   */
  principalFor: (headers: IncomingHttpHeaders) => Promise<Principal>;
  /** What `tenantScope` does: the tenant the request acts on, or an AppError (403) to answer with. */
  tenantFor: (principal: Principal | undefined, headers: IncomingHttpHeaders, fromUrl?: string) => string;
  requireRole: (role: Role) => RequestHandler;
  hasRole: (principal: Principal, role: Role) => boolean;
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/**
 * Builds the middleware set. Throws AuthConfigError on unsafe settings (dev auth in production, JWKS over
 * plain http without opt-in, JWKS host outside the allowed list) so a service refuses to boot.
 */
export function createAuth(
  settings: AuthSettings,
  options: { verifyApiKey?: ApiKeyVerifier; serviceToken?: string; jwks?: JWTVerifyGetKey } = {},
): Auth {
  if (settings.dev && settings.production) {
    throw new AuthConfigError('DEV_AUTH_ENABLED must not be true when ENV=production');
  }
  if (
    settings.required &&
    !settings.jwt &&
    !settings.dev &&
    !(settings.apiKey.enabled && options.verifyApiKey)
  ) {
    throw new AuthConfigError('AUTH_REQUIRED is true but no credential type (JWT, API key, dev) is enabled');
  }
  let jwks: JWTVerifyGetKey | undefined = options.jwks;
  if (settings.jwt && !jwks) {
    const url = parseJwksUrl(settings.jwt.jwksUrl);
    if (url.protocol !== 'https:' && !settings.jwt.allowInsecure) {
      throw new AuthConfigError(
        'JWT_JWKS_URL must use https (set AUTH_ALLOW_INSECURE_JWKS=true only for development)',
      );
    }
    if (
      settings.jwt.allowedHosts.length &&
      !settings.jwt.allowedHosts.includes(url.host) &&
      !settings.jwt.allowedHosts.includes(url.hostname)
    ) {
      throw new AuthConfigError(`JWT_JWKS_URL host ${url.host} is not in AUTH_JWKS_ALLOWED_HOSTS`);
    }
    jwks = createRemoteJWKSet(url, {
      cooldownDuration: 30_000,
      cacheMaxAge: settings.jwt.cooldownMs,
      timeoutDuration: settings.jwt.timeoutMs,
    });
  }
  const roles = settings.roles;

  const hasRole = (principal: Principal, role: Role): boolean => {
    if (principal.crossTenant) return true;
    let best = 0;
    for (const name of principal.roles) {
      if (name === roles.admin) best = Math.max(best, RANK.admin);
      else if (name === roles.operator) best = Math.max(best, RANK.operator);
      else if (name === roles.viewer) best = Math.max(best, RANK.viewer);
    }
    return best >= RANK[role];
  };

  const resolve = async (headers: IncomingHttpHeaders): Promise<Principal | undefined> => {
    const get = (name: string) => headerValue(headers, name);
    const serviceToken = get(SERVICE_TOKEN_HEADER);
    if (serviceToken !== undefined) {
      if (!options.serviceToken || !secretsEqual(serviceToken, options.serviceToken)) {
        throw problems.authInvalid('invalid service token');
      }
      return { kind: 'service', subject: 'service', roles: [roles.admin], crossTenant: true };
    }
    const apiKey = get(settings.apiKey.header);
    if (apiKey !== undefined && settings.apiKey.enabled && options.verifyApiKey) {
      const key = apiKey.trim() ? await options.verifyApiKey(apiKey.trim()) : null;
      if (!key) throw problems.authInvalid('invalid api key');
      const keyRoles = key.roles.map((r) => r.toLowerCase());
      return {
        kind: 'api_key',
        subject: `api-key:${key.key_id}`,
        tenantId: key.tenant_id,
        roles: keyRoles,
        keyId: key.key_id,
        crossTenant: keyRoles.includes(roles.crossTenant),
      };
    }
    const authorization = get('authorization');
    if (authorization !== undefined && settings.jwt && jwks) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!match) throw problems.authInvalid('malformed Authorization header');
      return verifyJwt(match[1]!, settings.jwt, jwks, roles.crossTenant);
    }
    if (settings.dev) {
      const user = get(settings.dev.userHeader);
      if (user) {
        const devRoles = (get(settings.dev.rolesHeader) ?? '')
          .split(/[\s,]+/)
          .map((r) => r.trim().toLowerCase())
          .filter(Boolean);
        return {
          kind: 'dev',
          subject: user,
          tenantId: get(settings.dev.tenantHeader) || undefined,
          roles: devRoles,
          crossTenant: devRoles.includes(roles.crossTenant),
        };
      }
    }
    return undefined;
  };

  const principalFor = async (headers: IncomingHttpHeaders): Promise<Principal> => {
    const principal = await resolve(headers);
    if (principal) return principal;
    if (settings.required) throw problems.authRequired();
    return { kind: 'dev', subject: 'anonymous', roles: [], crossTenant: false };
  };

  const authenticate: RequestHandler = async (req, res, next) => {
    try {
      res.locals.principal = await principalFor(req.headers);
      next();
    } catch (error) {
      next(error);
    }
  };

  const scopeError = (code: string, detail: string) => new AppError({ code, status: 403, detail });

  const tenantFor = (
    principal: Principal | undefined,
    headers: IncomingHttpHeaders,
    fromUrl?: string,
  ): string => {
    const rawHeader = headers[settings.tenantHeader.toLowerCase()];
    // Node joins a repeated header with ", ", so the comma check also catches repetition.
    if (
      Array.isArray(rawHeader) ||
      (typeof rawHeader === 'string' && (!rawHeader.trim() || /[,\s]/.test(rawHeader)))
    ) {
      throw scopeError(AuthCodes.TENANT_SCOPE_INVALID, `invalid ${settings.tenantHeader} header`);
    }
    const header = typeof rawHeader === 'string' ? rawHeader : undefined;
    if (fromUrl !== undefined && /\s/.test(fromUrl)) {
      throw scopeError(AuthCodes.TENANT_SCOPE_INVALID, 'invalid tenant in path');
    }
    const fromCredential = principal?.crossTenant ? undefined : principal?.tenantId;
    const sources = [fromCredential, header, fromUrl].filter((v): v is string => Boolean(v));
    if (!sources.length) throw scopeError(AuthCodes.TENANT_SCOPE_REQUIRED, 'tenant scope required');
    if (sources.some((s) => s !== sources[0])) {
      throw scopeError(AuthCodes.TENANT_SCOPE_MISMATCH, 'tenant scope mismatch');
    }
    if (settings.requireTenantClaim && !fromCredential && !principal?.crossTenant) {
      throw scopeError(AuthCodes.TENANT_SCOPE_REQUIRED, 'tenant must come from a credential');
    }
    return sources[0]!;
  };

  const tenantScope =
    (urlParam?: string): RequestHandler =>
    (req, res, next) => {
      const fromUrl = urlParam ? (req.params as Record<string, string | undefined>)[urlParam] : undefined;
      try {
        res.locals.tenantId = tenantFor(res.locals.principal as Principal | undefined, req.headers, fromUrl);
        next();
      } catch (error) {
        next(error);
      }
    };

  const requireRole =
    (role: Role): RequestHandler =>
    (_req, res, next) => {
      const principal = res.locals.principal as Principal | undefined;
      if (!principal) return next(problems.authRequired());
      if (!hasRole(principal, role)) return next(problems.forbidden(`requires the ${role} role`));
      next();
    };

  return { authenticate, tenantScope, requireRole, hasRole, principalFor, tenantFor };
}

/** A request header as express's `req.get` reads it (node joins repeated headers; only set-cookie stays a list). */
function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function parseJwksUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new AuthConfigError('JWT_JWKS_URL must be a URL when JWT_AUTH_ENABLED=true');
  }
}

async function verifyJwt(
  token: string,
  jwt: NonNullable<AuthSettings['jwt']>,
  jwks: JWTVerifyGetKey,
  crossTenantRole: string,
): Promise<Principal> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwks, {
      algorithms: jwt.algorithms,
      issuer: jwt.issuer,
      audience: jwt.audience,
      clockTolerance: jwt.clockSkewSeconds,
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    const detail =
      error instanceof joseErrors.JWTExpired
        ? 'token expired'
        : error instanceof joseErrors.JWTClaimValidationFailed
          ? `token claim "${error.claim}" invalid`
          : 'invalid token';
    throw problems.authInvalid(detail);
  }
  const tenant = jwt.tenantClaims
    .map((path) => claimAt(payload, path))
    .find((v) => typeof v === 'string' && v);
  const roles = new Set<string>();
  for (const path of jwt.roleClaims) {
    const value = claimAt(payload, path);
    const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
    for (const role of list)
      if (typeof role === 'string' && role.trim()) roles.add(role.trim().toLowerCase());
  }
  const roleList = [...roles];
  return {
    kind: 'jwt',
    subject: payload.sub ?? 'unknown',
    tenantId: tenant as string | undefined,
    roles: roleList,
    crossTenant: roleList.includes(crossTenantRole),
  };
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let current: unknown = payload;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw problems.authRequired();
  return principal;
}

export function tenantOf(res: Response): string {
  const tenant = res.locals.tenantId as string | undefined;
  if (!tenant)
    throw new AppError({
      code: AuthCodes.TENANT_SCOPE_REQUIRED,
      status: 403,
      detail: 'tenant scope required',
    });
  return tenant;
}

export interface CachingKeyVerifier extends ApiKeyVerifier {
  invalidateKey: (keyId: string) => void;
  invalidateTenant: (tenantId: string) => void;
  clear: () => void;
}

/**
 * Verifies API keys through admin's `POST /internal/v1/keys/verify`, caching answers (by a hash of the
 * key, never the key itself) for ttlMs. Revocation events call invalidateKey so a revoked key stops working
 * at once rather than after the TTL.
 */
export function remoteKeyVerifier(
  client: InternalClient,
  options: { ttlMs: number; maxEntries?: number },
): CachingKeyVerifier {
  const cache = new Map<string, { value: VerifiedKey | null; expires: number }>();
  const maxEntries = options.maxEntries ?? 10_000;
  const verifier = (async (apiKey: string) => {
    const cacheKey = hash('sha256', apiKey, 'base64url');
    const hit = cache.get(cacheKey);
    if (hit && hit.expires > Date.now()) return hit.value;
    const response = await client
      .request<VerifiedKey & { code?: string; detail?: string }>('POST', '/internal/v1/keys/verify', {
        body: { api_key: apiKey },
        timeoutMs: 2000,
      })
      .catch((error: unknown) => {
        throw problems.unavailable(
          `key verification unavailable: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    let value: VerifiedKey | null;
    if (response.status === 200) value = response.body;
    else if (response.status === 401) value = null;
    else if (response.status === 403) {
      throw new AppError({
        code: response.body?.code ?? 'RECSYS_FORBIDDEN',
        status: 403,
        detail: response.body?.detail ?? 'forbidden',
      });
    } else throw problems.unavailable(`key verification failed with status ${response.status}`);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, { value, expires: Date.now() + options.ttlMs });
    return value;
  }) as CachingKeyVerifier;
  verifier.invalidateKey = (keyId) => {
    for (const [k, entry] of cache) if (entry.value?.key_id === keyId) cache.delete(k);
  };
  verifier.invalidateTenant = (tenantId) => {
    for (const [k, entry] of cache) if (entry.value?.tenant_id === tenantId) cache.delete(k);
  };
  verifier.clear = () => cache.clear();
  return verifier;
}

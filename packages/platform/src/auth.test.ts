import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
import { z } from 'zod';
import { serve } from '@recsys/testing';
import {
  authEnv,
  authSettingsFromConfig,
  createAuth,
  AuthConfigError,
  principalOf,
  tenantOf,
  type Auth,
} from './auth.js';
import { parseEnv } from './config.js';
import { createBaseApp, finalizeApp } from './http.js';
import { HealthRegistry } from './health.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';

const schema = z.object({ ENV: z.string().default('development'), ...authEnv });
const settingsFor = (env: Record<string, string>) => authSettingsFromConfig(parseEnv('test', schema, env));

describe('auth', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let privateKey: KeyLike;
  let otherKey: KeyLike;
  let app: express.Express;
  let http: Awaited<ReturnType<typeof serve>>;
  let auth: Auth;
  const keys: Record<string, { key_id: string; tenant_id: string; roles: string[]; expires_at: null }> = {
    rk_viewer: { key_id: 'k1', tenant_id: 'acme', roles: ['viewer'], expires_at: null },
    rk_operator: { key_id: 'k2', tenant_id: 'acme', roles: ['operator'], expires_at: null },
    rk_platform: { key_id: 'k3', tenant_id: 'ops', roles: ['platform-admin'], expires_at: null },
  };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;

    auth = createAuth(
      settingsFor({
        JWT_AUTH_ENABLED: 'true',
        JWT_JWKS_URL: jwksUrl,
        AUTH_ALLOW_INSECURE_JWKS: 'true',
        AUTH_JWKS_ALLOWED_HOSTS: '127.0.0.1',
        JWT_ISSUER: 'https://issuer.test',
        JWT_AUDIENCE: 'recsys',
      }),
      { verifyApiKey: async (key) => keys[key] ?? null, serviceToken: 'service-token-for-tests' },
    );
    app = createBaseApp({
      service: 'test',
      version: '0',
      logger: createLogger('test', 'silent'),
      metrics: createMetrics('test', { collectDefaults: false }),
      health: new HealthRegistry('test', '0'),
    });
    app.get('/v1/tenants/:tenant_id/thing', auth.authenticate, auth.tenantScope('tenant_id'), (_req, res) => {
      res.json({ tenant: tenantOf(res), subject: principalOf(res).subject });
    });
    app.put(
      '/v1/tenants/:tenant_id/thing',
      auth.authenticate,
      auth.tenantScope('tenant_id'),
      auth.requireRole('operator'),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    finalizeApp(app, createMetrics('test2', { collectDefaults: false }));
    http = await serve(app);
  });

  afterAll(async () => {
    await http.close();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  const token = (claims: Record<string, unknown>, options: { key?: KeyLike; exp?: string | number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://issuer.test')
      .setAudience('recsys')
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? privateKey);

  const get = (path: string, headers: Record<string, string>) => fetch(http.url + path, { headers });

  it('when no credential is presented, then 401 RECSYS_AUTH_REQUIRED', async () => {
    const res = await get('/v1/tenants/acme/thing', {});
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).code).toBe('RECSYS_AUTH_REQUIRED');
  });

  it('when an API key of the tenant is used, then the tenant is scoped from the key', async () => {
    const res = await get('/v1/tenants/acme/thing', { 'x-api-key': 'rk_viewer' });
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toEqual({ tenant: 'acme', subject: 'api-key:k1' });
  });

  it('when the URL tenant differs from the key tenant, then 403 RECSYS_TENANT_SCOPE_MISMATCH', async () => {
    const res = await get('/v1/tenants/other/thing', { 'x-api-key': 'rk_viewer' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).code).toBe('RECSYS_TENANT_SCOPE_MISMATCH');
  });

  it('when the tenant header is repeated or has a comma, then 403 RECSYS_TENANT_SCOPE_INVALID', async () => {
    const res = await get('/v1/tenants/acme/thing', { 'x-api-key': 'rk_viewer', 'x-org-id': 'acme,other' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).code).toBe('RECSYS_TENANT_SCOPE_INVALID');
  });

  it('when a cross-tenant key acts on any tenant, then it is allowed', async () => {
    const res = await get('/v1/tenants/other/thing', { 'x-api-key': 'rk_platform' });
    expect(res.status).toBe(200);
  });

  it('when an unknown key is used, then 401 RECSYS_AUTH_INVALID', async () => {
    const res = await get('/v1/tenants/acme/thing', { 'x-api-key': 'rk_nope' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).code).toBe('RECSYS_AUTH_INVALID');
  });

  it('when a viewer writes, then 403 RECSYS_FORBIDDEN; an operator may', async () => {
    const viewer = await fetch(http.url + '/v1/tenants/acme/thing', {
      method: 'PUT',
      headers: { 'x-api-key': 'rk_viewer' },
    });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as any).code).toBe('RECSYS_FORBIDDEN');
    const operator = await fetch(http.url + '/v1/tenants/acme/thing', {
      method: 'PUT',
      headers: { 'x-api-key': 'rk_operator' },
    });
    expect(operator.status).toBe(200);
  });

  it('when a valid JWT carries the tenant claim, then it is accepted', async () => {
    const res = await get('/v1/tenants/acme/thing', {
      authorization: `Bearer ${await token({ tenant_id: 'acme', roles: ['viewer'] })}`,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).subject).toBe('user-1');
  });

  it('when the JWT is expired, signed by another key, for another audience or alg none, then 401', async () => {
    const expired = await token({ tenant_id: 'acme' }, { exp: Math.floor(Date.now() / 1000) - 3600 });
    const foreign = await token({ tenant_id: 'acme' }, { key: otherKey });
    const wrongAudience = await new SignJWT({ tenant_id: 'acme' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://issuer.test')
      .setAudience('someone-else')
      .setExpirationTime('5m')
      .sign(privateKey);
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant_id: 'acme', iss: 'https://issuer.test', aud: 'recsys', exp: 9999999999 })}.`;
    const hsConfusion = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64({ tenant_id: 'acme', exp: 9999999999 })}.c2ln`;
    for (const jwt of [expired, foreign, wrongAudience, none, hsConfusion]) {
      const res = await get('/v1/tenants/acme/thing', { authorization: `Bearer ${jwt}` });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).code).toBe('RECSYS_AUTH_INVALID');
    }
    const res = await get('/v1/tenants/acme/thing', { authorization: `Bearer ${expired}` });
    expect(((await res.json()) as any).detail).toBe('token expired');
  });

  it('when the service token is presented, then the caller is a cross-tenant service; a wrong token is refused', async () => {
    const ok = await get('/v1/tenants/acme/thing', { 'x-service-token': 'service-token-for-tests' });
    expect(ok.status).toBe(200);
    const bad = await get('/v1/tenants/acme/thing', { 'x-service-token': 'nope' });
    expect(bad.status).toBe(401);
  });

  it('when the JWKS host is not allowed, plain http is not opted into, or dev auth is on in production, then auth refuses to build', () => {
    expect(() =>
      createAuth(
        settingsFor({
          JWT_AUTH_ENABLED: 'true',
          JWT_JWKS_URL: 'https://evil.example/jwks',
          AUTH_JWKS_ALLOWED_HOSTS: 'idp.example',
        }),
      ),
    ).toThrow(AuthConfigError);
    expect(() =>
      createAuth(settingsFor({ JWT_AUTH_ENABLED: 'true', JWT_JWKS_URL: 'http://idp.example/jwks' })),
    ).toThrow(/https/);
    expect(() => createAuth(settingsFor({ ENV: 'production', DEV_AUTH_ENABLED: 'true' }))).toThrow(
      /production/,
    );
  });
});

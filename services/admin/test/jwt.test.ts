import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { AuthConfigError } from '@recsys/platform/auth';
import { startJwks, type TestJwks } from '@recsys/testing';
import { createLogger } from '@recsys/platform/logger';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { startAdmin, type TestAdmin } from './helpers.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'recsys-admin';

describe('JWT authentication (local JWKS) and unsafe auth settings', () => {
  let jwks: Server;
  let jwksUrl: string;
  let jwksHost: string;
  let privateKey: CryptoKey;
  let admin: TestAdmin;

  const sign = (
    claims: Record<string, unknown>,
    options: { expiresIn?: string | number; key?: CryptoKey } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? privateKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksHost = `127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    jwksUrl = `http://${jwksHost}/jwks.json`;
    admin = await startAdmin({
      JWT_AUTH_ENABLED: 'true',
      JWT_JWKS_URL: jwksUrl,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      JWT_ALLOWED_ALGORITHMS: 'RS256',
      AUTH_ALLOW_INSECURE_JWKS: 'true',
      AUTH_JWKS_ALLOWED_HOSTS: jwksHost,
    });
    await admin.call('POST', '/v1/admin/tenants', {
      headers: admin.service,
      body: { external_id: 'jwt-co', display_name: 'JWT Co' },
    });
  });
  afterAll(async () => {
    await admin.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('when a valid JWT carries the tenant and operator role, then it writes config and is audited as the subject', async () => {
    const token = await sign({ tenant_id: 'jwt-co', roles: ['operator'] });
    const put = await admin.call('PUT', '/v1/admin/tenants/jwt-co/config', {
      headers: bearer(token),
      body: { weights: { pop: 1 } },
    });
    expect(put.status).toBe(200);
    const row = await admin.schema.query(
      "select actor_sub, actor_type from audit_log where action = 'config.update'",
    );
    expect(row.rows).toEqual([{ actor_sub: 'user-1', actor_type: 'user' }]);
  });

  it('when the JWT names another tenant or only the viewer role, then 403', async () => {
    const other = await sign({ tenant_id: 'other', roles: ['admin'] });
    const mismatch = await admin.call('GET', '/v1/admin/tenants/jwt-co/config', { headers: bearer(other) });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.code).toBe('RECSYS_TENANT_SCOPE_MISMATCH');
    const viewer = await sign({ tenant_id: 'jwt-co', scope: 'viewer' });
    const write = await admin.call('PUT', '/v1/admin/tenants/jwt-co/config', {
      headers: bearer(viewer),
      body: { weights: { pop: 2 } },
    });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('RECSYS_FORBIDDEN');
    const read = await admin.call('GET', '/v1/admin/tenants/jwt-co/config', { headers: bearer(viewer) });
    expect(read.status).toBe(200);
  });

  it('when the JWT has expired, then 401 RECSYS_AUTH_INVALID', async () => {
    const expired = await sign(
      { tenant_id: 'jwt-co', roles: ['admin'] },
      { expiresIn: Math.floor(Date.now() / 1000) - 120 },
    );
    const res = await admin.call('GET', '/v1/admin/tenants/jwt-co/config', { headers: bearer(expired) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('RECSYS_AUTH_INVALID');
  });

  it('when the JWT uses alg none, then it is refused', async () => {
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'mallory',
      tenant_id: 'jwt-co',
      roles: ['admin'],
      iat: now,
      exp: now + 300,
    })}.`;
    const res = await admin.call('GET', '/v1/admin/tenants/jwt-co/config', { headers: bearer(unsigned) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('RECSYS_AUTH_INVALID');
  });

  it('when the JWT is signed by a key outside the JWKS or for another audience, then 401', async () => {
    const stranger = await generateKeyPair('RS256');
    const forged = await sign({ tenant_id: 'jwt-co', roles: ['admin'] }, { key: stranger.privateKey });
    expect(
      (await admin.call('GET', '/v1/admin/tenants/jwt-co/config', { headers: bearer(forged) })).status,
    ).toBe(401);
    const wrongAudience = await new SignJWT({ tenant_id: 'jwt-co', roles: ['admin'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('someone-else')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(
      (await admin.call('GET', '/v1/admin/tenants/jwt-co/config', { headers: bearer(wrongAudience) })).status,
    ).toBe(401);
  });

  it('when the JWKS host is not in AUTH_JWKS_ALLOWED_HOSTS, then admin refuses to start', () => {
    const config = loadConfig({
      JWT_AUTH_ENABLED: 'true',
      JWT_JWKS_URL: jwksUrl,
      AUTH_ALLOW_INSECURE_JWKS: 'true',
      AUTH_JWKS_ALLOWED_HOSTS: 'login.example.com',
    });
    expect(() => createDeps(config, createLogger('admin', 'silent'))).toThrow(AuthConfigError);
    const insecure = loadConfig({ JWT_AUTH_ENABLED: 'true', JWT_JWKS_URL: jwksUrl });
    expect(() => createDeps(insecure, createLogger('admin', 'silent'))).toThrow(/https/);
  });

  it('when dev auth is enabled in production, then admin refuses to start; the dev hash secret is refused too', () => {
    const config = loadConfig({
      ENV: 'production',
      DEV_AUTH_ENABLED: 'true',
      API_KEY_HASH_SECRET: 'a-real-production-secret-value',
    });
    expect(() => createDeps(config, createLogger('admin', 'silent'))).toThrow(/DEV_AUTH_ENABLED/);
    expect(() => loadConfig({ ENV: 'production' })).toThrow(/API_KEY_HASH_SECRET/);
  });
});

describe('dev headers (development only)', () => {
  let admin: TestAdmin;
  beforeAll(async () => {
    admin = await startAdmin({ DEV_AUTH_ENABLED: 'true' });
    await admin.call('POST', '/v1/admin/tenants', {
      headers: admin.service,
      body: { external_id: 'dev', display_name: 'Dev' },
    });
  });
  afterAll(() => admin.close());

  it('when dev auth is enabled outside production, then dev headers authenticate with their roles and are audited as the dev user', async () => {
    const headers = { 'x-dev-user-id': 'alice', 'x-dev-org-id': 'dev', 'x-dev-roles': 'operator' };
    const put = await admin.call('PUT', '/v1/admin/tenants/dev/rules', { headers, body: [] });
    expect(put.status).toBe(200);
    const row = await admin.schema.query(
      "select actor_sub, actor_type from audit_log where action = 'rules.update'",
    );
    expect(row.rows).toEqual([{ actor_sub: 'alice', actor_type: 'user' }]);
    const noRoles = await admin.call('PUT', '/v1/admin/tenants/dev/rules', {
      headers: { 'x-dev-user-id': 'bob', 'x-dev-org-id': 'dev' },
      body: [],
    });
    expect(noRoles.status).toBe(403);
  });
});

describe('JWT claim paths and disabled tenants', () => {
  let jwks: TestJwks;
  let admin: TestAdmin;
  beforeAll(async () => {
    jwks = await startJwks({ issuer: 'https://idp.test', audience: 'recsys-admin' });
    admin = await startAdmin({
      ...jwks.env,
      AUTH_TENANT_CLAIMS: 'app_metadata.tenant_id,org_id',
      AUTH_ROLE_CLAIMS: 'realm_access.roles,scope',
    });
    for (const tenant of ['nested', 'other']) {
      await admin.call('POST', '/v1/admin/tenants', {
        headers: admin.service,
        body: { external_id: tenant, display_name: tenant },
      });
    }
  });
  afterAll(async () => {
    await admin.close();
    await jwks.close();
  });
  const bearer = async (claims: Record<string, unknown>) => ({
    authorization: `Bearer ${await jwks.sign(claims)}`,
  });

  it('when tenant and roles sit at the configured dotted claim paths, then they are used; the default top-level claims are not', async () => {
    const nested = await bearer({
      app_metadata: { tenant_id: 'nested' },
      realm_access: { roles: ['Operator'] },
      scope: 'openid profile',
    });
    const put = await admin.call('PUT', '/v1/admin/tenants/nested/config', {
      headers: nested,
      body: { weights: { pop: 1 } },
    });
    expect(put.status).toBe(200);
    const foreign = await admin.call('GET', '/v1/admin/tenants/other/config', { headers: nested });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('RECSYS_TENANT_SCOPE_MISMATCH');
    // Roles from the fallback path (space separated scope), tenant from the second configured path.
    const scoped = await bearer({ org_id: 'nested', scope: 'openid viewer' });
    expect((await admin.call('GET', '/v1/admin/tenants/nested/config', { headers: scoped })).status).toBe(
      200,
    );
    const write = await admin.call('PUT', '/v1/admin/tenants/nested/config', {
      headers: scoped,
      body: { weights: { pop: 2 } },
    });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('RECSYS_FORBIDDEN');
    // `tenant_id` and `roles` at the top level are not configured here: no tenant, no role.
    const topLevel = await bearer({ tenant_id: 'other', roles: ['admin'] });
    const res = await admin.call('GET', '/v1/admin/tenants/other/config', { headers: topLevel });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('RECSYS_FORBIDDEN');
  });

  it('when the JWT’s tenant is disabled, then its callers get 403 RECSYS_TENANT_DISABLED until it is enabled again', async () => {
    const headers = await bearer({
      app_metadata: { tenant_id: 'nested' },
      realm_access: { roles: ['admin'] },
    });
    await admin.call('POST', '/v1/admin/tenants/nested/disable', { headers: admin.service });
    for (const [method, path, body] of [
      ['GET', '/v1/admin/tenants/nested/config', undefined],
      ['PUT', '/v1/admin/tenants/nested/rules', []],
      ['POST', '/v1/admin/tenants/nested/keys', { name: 'k', roles: ['viewer'] }],
    ] as const) {
      const res = await admin.call(method, path, { headers, body });
      expect([method, path, res.status, res.body.code]).toEqual([
        method,
        path,
        403,
        'RECSYS_TENANT_DISABLED',
      ]);
    }
    const audit = await admin.schema.query(
      "select count(*)::int as n from audit_log where action in ('rules.update', 'key.create')",
    );
    expect(audit.rows[0].n).toBe(0);
    await admin.call('POST', '/v1/admin/tenants/nested/enable', { headers: admin.service });
    expect((await admin.call('GET', '/v1/admin/tenants/nested/config', { headers })).status).toBe(200);
  });
});

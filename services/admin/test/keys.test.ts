import { createHmac } from 'node:crypto';
import { waitFor } from '@recsys/testing';
import { HASH_SECRET, keyFor, startAdmin, tenantWithKey, type TestAdmin } from './helpers.js';

describe('tenants, API keys and RBAC', () => {
  let admin: TestAdmin;
  let acmeAdmin: string;
  let acmeViewer: string;
  let globexAdmin: string;

  beforeAll(async () => {
    admin = await startAdmin();
    acmeAdmin = await tenantWithKey(admin, 'acme', ['admin']);
    acmeViewer = await keyFor(admin, 'acme', ['viewer']);
    globexAdmin = await tenantWithKey(admin, 'globex', ['admin']);
  });
  afterAll(() => admin.close());

  it('when a key is issued, then it is rk_<prefix>_<secret>, shown once, and stored only as an HMAC', async () => {
    const issued = await admin.call('POST', '/v1/admin/tenants/acme/keys', {
      headers: { 'x-api-key': acmeAdmin },
      body: { name: 'ci', roles: ['operator'] },
    });
    expect(issued.status).toBe(201);
    expect(issued.body.api_key).toMatch(/^rk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(issued.body.api_key.startsWith(issued.body.key.prefix + '_')).toBe(true);
    const rows = await admin.schema.query('select key_hash, key_prefix from api_keys where id = $1', [
      issued.body.key.id,
    ]);
    expect(rows.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify((await admin.schema.query('select * from api_keys')).rows);
    expect(dump).not.toContain(issued.body.api_key.split('_').slice(2).join('_'));

    const list = await admin.call('GET', '/v1/admin/tenants/acme/keys', {
      headers: { 'x-api-key': acmeAdmin },
    });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(issued.body.api_key);
    expect(list.body.keys.map((k: any) => k.name)).toContain('ci');
    expect(list.body.keys.every((k: any) => !('key_hash' in k) && !('api_key' in k))).toBe(true);

    const audit = await admin.schema.query(
      "select after_state from audit_log where action = 'key.create' and entity_id = $1",
      [issued.body.key.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows[0].after_state)).not.toContain(issued.body.api_key);
  });

  it('when verifying keys internally, then a valid key answers tenant and roles and a revoked key is refused at once', async () => {
    const key = await keyFor(admin, 'acme', ['operator']);
    const ok = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: key },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      key_id: expect.any(String),
      tenant_id: 'acme',
      roles: ['operator'],
      expires_at: null,
    });

    const revoked = await admin.call('POST', `/v1/admin/tenants/acme/keys/${ok.body.key_id}/revoke`, {
      headers: { 'x-api-key': acmeAdmin },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    const refused = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: key },
    });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('RECSYS_AUTH_INVALID');
    const direct = await admin.call('GET', '/v1/admin/tenants/acme/config', {
      headers: { 'x-api-key': key },
    });
    expect(direct.status).toBe(401);

    const events = await admin.controlEvents();
    expect(events).toContainEqual({
      type: 'key.revoked',
      payload: { type: 'key.revoked', tenant_id: 'acme', key_id: ok.body.key_id, at: expect.any(String) },
    });
  });

  it('when verify is called without the service token or with an unknown or malformed key, then 401', async () => {
    const noToken = await admin.call('POST', '/internal/v1/keys/verify', { body: { api_key: acmeAdmin } });
    expect(noToken.status).toBe(401);
    const apiKeyOnly = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: { 'x-api-key': acmeAdmin },
      body: { api_key: acmeAdmin },
    });
    expect(apiKeyOnly.status).toBe(401);
    for (const api_key of ['nope', 'rk_000000000000_' + 'a'.repeat(43), acmeAdmin + 'x']) {
      const res = await admin.call('POST', '/internal/v1/keys/verify', {
        headers: admin.service,
        body: { api_key },
      });
      expect(res.status).toBe(401);
    }
  });

  it('when a key has expired, then verify refuses it', async () => {
    const issued = await admin.call('POST', '/v1/admin/tenants/acme/keys', {
      headers: admin.service,
      body: { name: 'short', roles: ['viewer'], expires_at: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(issued.status).toBe(201);
    const ok = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: issued.body.api_key },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.expires_at).toBe(issued.body.key.expires_at);
    // The trigger forbids edits only on append-only tables; api_keys may be moved into the past for the test.
    await admin.schema.query("update api_keys set expires_at = now() - interval '1 second' where id = $1", [
      issued.body.key.id,
    ]);
    const expired = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: issued.body.api_key },
    });
    expect(expired.status).toBe(401);
    const past = await admin.call('POST', '/v1/admin/tenants/acme/keys', {
      headers: admin.service,
      body: { name: 'past', roles: ['viewer'], expires_at: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(422);
  });

  it('when a key is used, then last_used_at is set, and not rewritten within a minute', async () => {
    const key = await keyFor(admin, 'acme', ['viewer']);
    await admin.call('POST', '/internal/v1/keys/verify', { headers: admin.service, body: { api_key: key } });
    const id = (
      await admin.call('POST', '/internal/v1/keys/verify', { headers: admin.service, body: { api_key: key } })
    ).body.key_id;
    const first = await waitFor(async () => {
      const r = await admin.schema.query('select last_used_at from api_keys where id = $1', [id]);
      return r.rows[0].last_used_at as Date | null;
    });
    await admin.call('POST', '/internal/v1/keys/verify', { headers: admin.service, body: { api_key: key } });
    await admin.call('GET', '/v1/admin/tenants/acme', { headers: { 'x-api-key': key } });
    const again = await admin.schema.query('select last_used_at from api_keys where id = $1', [id]);
    expect(again.rows[0].last_used_at.getTime()).toBe(first!.getTime());
  });

  it('when a key is rotated, then the new key works, the old one is revoked, and rotating it again is 409', async () => {
    const old = await keyFor(admin, 'acme', ['operator']);
    const id = (
      await admin.call('POST', '/internal/v1/keys/verify', { headers: admin.service, body: { api_key: old } })
    ).body.key_id;
    const rotated = await admin.call('POST', `/v1/admin/tenants/acme/keys/${id}/rotate`, {
      headers: { 'x-api-key': acmeAdmin },
      body: {},
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.key.roles).toEqual(['operator']);
    const verify = (api_key: string) =>
      admin.call('POST', '/internal/v1/keys/verify', { headers: admin.service, body: { api_key } });
    expect((await verify(old)).status).toBe(401);
    expect((await verify(rotated.body.api_key)).status).toBe(200);
    const again = await admin.call('POST', `/v1/admin/tenants/acme/keys/${id}/rotate`, {
      headers: { 'x-api-key': acmeAdmin },
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RECSYS_KEY_REVOKED');
  });

  it('when a tenant is disabled, then its keys get 403 RECSYS_TENANT_DISABLED and a tenant.disabled event, until enabled', async () => {
    const key = await tenantWithKey(admin, 'initech', ['viewer']);
    const notAllowed = await admin.call('POST', '/v1/admin/tenants/initech/disable', {
      headers: { 'x-api-key': key },
    });
    expect(notAllowed.status).toBe(403);
    const disabled = await admin.call('POST', '/v1/admin/tenants/initech/disable', {
      headers: admin.service,
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('disabled');
    const verify = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: key },
    });
    expect(verify.status).toBe(403);
    expect(verify.body.code).toBe('RECSYS_TENANT_DISABLED');
    const events = await admin.controlEvents();
    expect(events.filter((e) => e.type === 'tenant.disabled').map((e) => e.payload.tenant_id)).toEqual([
      'initech',
    ]);
    const enabled = await admin.call('POST', '/v1/admin/tenants/initech/enable', { headers: admin.service });
    expect(enabled.body.status).toBe('active');
    expect((await admin.controlEvents()).map((e) => e.type)).toContain('tenant.enabled');
    const ok = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: key },
    });
    expect(ok.status).toBe(200);
    const audit = await admin.schema.query(
      "select action, before_state, after_state from audit_log a join tenants t on t.id = a.tenant_id where t.external_id = 'initech' and action like 'tenant.%' order by a.id",
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['tenant.create', 'tenant.disable', 'tenant.enable']);
    expect(audit.rows[1]).toMatchObject({
      before_state: { status: 'active' },
      after_state: { status: 'disabled' },
    });
  });

  it('when a tenant key addresses another tenant, then 403 RECSYS_TENANT_SCOPE_MISMATCH', async () => {
    const res = await admin.call('GET', '/v1/admin/tenants/globex/keys', {
      headers: { 'x-api-key': acmeAdmin },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('RECSYS_TENANT_SCOPE_MISMATCH');
    const put = await admin.call('PUT', '/v1/admin/tenants/acme/config', {
      headers: { 'x-api-key': globexAdmin },
      body: { weights: { pop: 1 } },
    });
    expect(put.status).toBe(403);
  });

  it('when a viewer writes or manages keys, then 403 RECSYS_FORBIDDEN; reads are allowed', async () => {
    const put = await admin.call('PUT', '/v1/admin/tenants/acme/config', {
      headers: { 'x-api-key': acmeViewer },
      body: { weights: { pop: 1 } },
    });
    expect(put.status).toBe(403);
    expect(put.body.code).toBe('RECSYS_FORBIDDEN');
    const keys = await admin.call('GET', '/v1/admin/tenants/acme/keys', {
      headers: { 'x-api-key': acmeViewer },
    });
    expect(keys.status).toBe(403);
    const read = await admin.call('GET', '/v1/admin/tenants/acme', { headers: { 'x-api-key': acmeViewer } });
    expect(read.status).toBe(200);
    expect(read.body.external_id).toBe('acme');
  });

  it('when a tenant admin creates tenants or grants the cross-tenant role, then 403; a cross-tenant key may', async () => {
    const create = await admin.call('POST', '/v1/admin/tenants', {
      headers: { 'x-api-key': acmeAdmin },
      body: { external_id: 'evil', display_name: 'Evil' },
    });
    expect(create.status).toBe(403);
    const list = await admin.call('GET', '/v1/admin/tenants', { headers: { 'x-api-key': acmeAdmin } });
    expect(list.status).toBe(403);
    const grant = await admin.call('POST', '/v1/admin/tenants/acme/keys', {
      headers: { 'x-api-key': acmeAdmin },
      body: { name: 'escalate', roles: ['platform-admin'] },
    });
    expect(grant.status).toBe(403);
    const platform = await keyFor(admin, 'acme', ['platform-admin', 'admin']);
    const viaPlatform = await admin.call('GET', '/v1/admin/tenants/globex/keys', {
      headers: { 'x-api-key': platform },
    });
    expect(viaPlatform.status).toBe(200);
    const tenants = await admin.call('GET', '/v1/admin/tenants', { headers: { 'x-api-key': platform } });
    expect(tenants.status).toBe(200);
  });

  it('when every tenant route is called without credentials, with another tenant’s key, or by a viewer (writes), then 401 / 403', async () => {
    const keyId = '00000000-0000-4000-8000-000000000000';
    const routes: [string, string, unknown?][] = [
      ['GET', '/v1/admin/tenants/acme'],
      ['GET', '/v1/admin/tenants/acme/config'],
      ['PUT', '/v1/admin/tenants/acme/config', { weights: { pop: 1 } }],
      ['POST', '/v1/admin/tenants/acme/config/validate', {}],
      ['GET', '/v1/admin/tenants/acme/config/versions'],
      ['POST', '/v1/admin/tenants/acme/config/rollback', { version: 'abc' }],
      ['GET', '/v1/admin/tenants/acme/rules'],
      ['PUT', '/v1/admin/tenants/acme/rules', []],
      ['POST', '/v1/admin/tenants/acme/rules/validate', []],
      ['GET', '/v1/admin/tenants/acme/rules/versions'],
      ['POST', '/v1/admin/tenants/acme/rules/rollback', { version: 'abc' }],
      ['POST', '/v1/admin/tenants/acme/cache/invalidate', { targets: ['config'] }],
      ['GET', '/v1/admin/tenants/acme/audit'],
      ['POST', '/v1/admin/tenants/acme/keys', { name: 'x', roles: ['viewer'] }],
      ['GET', '/v1/admin/tenants/acme/keys'],
      ['POST', `/v1/admin/tenants/acme/keys/${keyId}/revoke`],
      ['POST', `/v1/admin/tenants/acme/keys/${keyId}/rotate`, {}],
      ['POST', '/v1/admin/tenants/acme/disable'],
      ['POST', '/v1/admin/tenants/acme/enable'],
    ];
    for (const [method, path, body] of routes) {
      const anonymous = await admin.call(method, path, { body });
      expect([method, path, anonymous.status]).toEqual([method, path, 401]);
      const foreign = await admin.call(method, path, { body, headers: { 'x-api-key': globexAdmin } });
      expect([method, path, foreign.status]).toEqual([method, path, 403]);
      const asViewer = await admin.call(method, path, { body, headers: { 'x-api-key': acmeViewer } });
      const viewerMayRead = method === 'GET' && !path.endsWith('/keys');
      if (!viewerMayRead) expect([method, path, asViewer.status]).toEqual([method, path, 403]);
      else expect([method, path, asViewer.status]).not.toEqual([method, path, 403]);
    }
  });

  it('when the service token is wrong, then 401; an unknown tenant is 404; a bad key id is 400', async () => {
    const wrong = await admin.call('GET', '/v1/admin/tenants', {
      headers: { 'x-service-token': 'nope-nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    const missing = await admin.call('GET', '/v1/admin/tenants/nobody', { headers: admin.service });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('RECSYS_TENANT_NOT_FOUND');
    const badId = await admin.call('POST', '/v1/admin/tenants/acme/keys/not-a-uuid/revoke', {
      headers: admin.service,
    });
    expect(badId.status).toBe(400);
    const unknownKey = await admin.call(
      'POST',
      '/v1/admin/tenants/acme/keys/00000000-0000-4000-8000-000000000000/revoke',
      { headers: admin.service },
    );
    expect(unknownKey.status).toBe(404);
    expect(unknownKey.body.code).toBe('RECSYS_KEY_NOT_FOUND');
  });

  it('when a tenant is fetched by its UUID with the service token, then it resolves', async () => {
    const byId = await admin.call('GET', '/v1/admin/tenants/acme', { headers: admin.service });
    const byUuid = await admin.call('GET', `/v1/admin/tenants/${byId.body.id}`, { headers: admin.service });
    expect(byUuid.status).toBe(200);
    expect(byUuid.body.external_id).toBe('acme');
  });
  it('when a key is stored, then key_hash is HMAC-SHA256 under the server secret of the whole key and key_prefix its visible part', async () => {
    const issued = await admin.call('POST', '/v1/admin/tenants/acme/keys', {
      headers: { 'x-api-key': acmeAdmin },
      body: { name: 'hmac', roles: ['viewer'] },
    });
    const apiKey = issued.body.api_key as string;
    const row = (
      await admin.schema.query('select key_hash, key_prefix from api_keys where id = $1', [
        issued.body.key.id,
      ])
    ).rows[0];
    expect(row.key_hash).toBe(createHmac('sha256', HASH_SECRET).update(apiKey).digest('hex'));
    expect(row.key_hash).not.toBe(
      createHmac('sha256', 'another-secret-0123456789').update(apiKey).digest('hex'),
    );
    expect(`rk_${row.key_prefix}`).toBe(issued.body.key.prefix);
    expect(apiKey.startsWith(`rk_${row.key_prefix}_`)).toBe(true);
    const listed = await admin.call('GET', '/v1/admin/tenants/acme/keys', {
      headers: { 'x-api-key': acmeAdmin },
    });
    expect(listed.body.keys.find((k: any) => k.id === issued.body.key.id)).toEqual({
      id: issued.body.key.id,
      tenant_id: 'acme',
      name: 'hmac',
      prefix: issued.body.key.prefix,
      roles: ['viewer'],
      created_at: expect.any(String),
      created_by: expect.stringMatching(/^api-key:/),
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
    });
  });

  it('when a key is revoked twice, then the second call is a no-op: one audit row, one key.revoked event, same revoked_at', async () => {
    const key = await keyFor(admin, 'acme', ['viewer']);
    const id = (
      await admin.call('POST', '/internal/v1/keys/verify', { headers: admin.service, body: { api_key: key } })
    ).body.key_id;
    const path = `/v1/admin/tenants/acme/keys/${id}/revoke`;
    const first = await admin.call('POST', path, {
      headers: { 'x-api-key': acmeAdmin, 'x-request-id': 'revoke-req-1', 'user-agent': 'keys-test/1' },
    });
    const second = await admin.call('POST', path, { headers: { 'x-api-key': acmeAdmin } });
    expect(second.status).toBe(200);
    expect(second.body.revoked_at).toBe(first.body.revoked_at);
    const audit = await admin.schema.query(
      "select actor_sub, actor_type, request_id, user_agent, ip, before_state, after_state from audit_log where action = 'key.revoke' and entity_id = $1",
      [id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({
      actor_type: 'api_key',
      request_id: 'revoke-req-1',
      user_agent: 'keys-test/1',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      before_state: { id },
      after_state: { id, revoked_at: first.body.revoked_at },
    });
    expect(audit.rows[0].actor_sub).toMatch(/^api-key:/);
    expect(audit.rows[0].before_state).not.toHaveProperty('revoked_at');
    const events = (await admin.controlEvents()).filter(
      (e) => e.type === 'key.revoked' && e.payload.key_id === id,
    );
    expect(events).toHaveLength(1);
  });

  it('when a key is rotated, then the old key id is published as key.revoked, the rotation is audited, and a past expiry is refused', async () => {
    const old = await admin.call('POST', '/v1/admin/tenants/acme/keys', {
      headers: { 'x-api-key': acmeAdmin },
      body: { name: 'rotating', roles: ['operator', 'viewer'] },
    });
    const id = old.body.key.id as string;
    const past = await admin.call('POST', `/v1/admin/tenants/acme/keys/${id}/rotate`, {
      headers: { 'x-api-key': acmeAdmin },
      body: { expires_at: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(422);
    expect(past.body.errors[0].pointer).toBe('/expires_at');
    const stillValid = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: old.body.api_key },
    });
    expect(stillValid.status).toBe(200);

    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const rotated = await admin.call('POST', `/v1/admin/tenants/acme/keys/${id}/rotate`, {
      headers: { 'x-api-key': acmeAdmin },
      body: { expires_at: expiresAt },
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.key).toMatchObject({
      name: 'rotating',
      roles: ['operator', 'viewer'],
      expires_at: expiresAt,
    });
    expect(rotated.body.key.id).not.toBe(id);
    expect(rotated.body.api_key).not.toBe(old.body.api_key);
    const events = (await admin.controlEvents()).filter(
      (e) => e.type === 'key.revoked' && e.payload.key_id === id,
    );
    expect(events).toHaveLength(1);
    const audit = await admin.schema.query(
      "select entity_id, extra, after_state from audit_log where action = 'key.rotate' and entity_id = $1",
      [id],
    );
    expect(audit.rows).toEqual([
      {
        entity_id: id,
        extra: { replaced_by: rotated.body.key.id },
        after_state: expect.objectContaining({ id: rotated.body.key.id, prefix: rotated.body.key.prefix }),
      },
    ]);
    expect(JSON.stringify(audit.rows)).not.toContain(rotated.body.api_key);
    const row = await admin.schema.query('select revoked_at, replaced_by from api_keys where id = $1', [id]);
    expect(row.rows[0].revoked_at).toBeInstanceOf(Date);
    expect(row.rows[0].replaced_by).toBe(rotated.body.key.id);
  });

  it('when a tenant is disabled, then its own keys are refused on admin routes too, while a cross-tenant admin still reads and re-enables it', async () => {
    const key = await tenantWithKey(admin, 'umbrella', ['admin']);
    expect(
      (await admin.call('GET', '/v1/admin/tenants/umbrella', { headers: { 'x-api-key': key } })).status,
    ).toBe(200);
    await admin.call('POST', '/v1/admin/tenants/umbrella/disable', { headers: admin.service });
    for (const [method, path] of [
      ['GET', '/v1/admin/tenants/umbrella'],
      ['GET', '/v1/admin/tenants/umbrella/keys'],
      ['PUT', '/v1/admin/tenants/umbrella/rules'],
    ] as const) {
      const res = await admin.call(method, path, {
        headers: { 'x-api-key': key },
        body: method === 'PUT' ? [] : undefined,
      });
      expect([method, path, res.status, res.body.code]).toEqual([
        method,
        path,
        403,
        'RECSYS_TENANT_DISABLED',
      ]);
    }
    const byService = await admin.call('GET', '/v1/admin/tenants/umbrella', { headers: admin.service });
    expect(byService.body.status).toBe('disabled');
    const again = await admin.call('POST', '/v1/admin/tenants/umbrella/disable', { headers: admin.service });
    expect(again.status).toBe(200);
    const disabledEvents = (await admin.controlEvents()).filter(
      (e) => e.type === 'tenant.disabled' && e.payload.tenant_id === 'umbrella',
    );
    expect(disabledEvents).toHaveLength(1);
    await admin.call('POST', '/v1/admin/tenants/umbrella/enable', { headers: admin.service });
    expect(
      (await admin.call('GET', '/v1/admin/tenants/umbrella', { headers: { 'x-api-key': key } })).status,
    ).toBe(200);
  });

  it('when tenants are listed and fetched, then each carries its id, external id, display name, status and timestamps', async () => {
    const list = await admin.call('GET', '/v1/admin/tenants', { headers: admin.service });
    expect(list.status).toBe(200);
    const ids = list.body.tenants.map((t: any) => t.external_id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(['acme', 'globex']));
    const acme = list.body.tenants.find((t: any) => t.external_id === 'acme');
    expect(acme).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      external_id: 'acme',
      display_name: 'acme',
      status: 'active',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const got = await admin.call('GET', '/v1/admin/tenants/acme', { headers: { 'x-api-key': acmeViewer } });
    expect(got.body).toEqual(acme);
    const created = await admin.call('POST', '/v1/admin/tenants', {
      headers: admin.service,
      body: { external_id: 'hooli', display_name: 'Hooli Inc.' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      external_id: 'hooli',
      display_name: 'Hooli Inc.',
      status: 'active',
    });
    const audit = await admin.schema.query(
      "select actor_sub, actor_type, entity_id, after_state from audit_log where action = 'tenant.create' and entity_id = $1",
      [created.body.id],
    );
    expect(audit.rows).toEqual([
      {
        actor_sub: 'service',
        actor_type: 'service',
        entity_id: created.body.id,
        after_state: expect.objectContaining({ external_id: 'hooli', display_name: 'Hooli Inc.' }),
      },
    ]);
  });
});

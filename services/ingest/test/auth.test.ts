import express from 'express';
import { serve, waitFor } from '@recsys/testing';
import { StreamProducer } from '@recsys/platform/streams';
import { asService, postJson, SERVICE_TOKEN, startIngest, type Harness } from './helpers.js';

/**
 * Admin's side of the agreed internal wire shape (team brief §1): key verification and tenant runtime.
 * Admin's own implementation is tested in admin; here it stands in so ingest's side can be exercised.
 */
function fakeAdmin() {
  const keys = new Map<string, { key_id: string; tenant_id: string; roles: string[]; expires_at: null }>([
    ['key-acme-writer', { key_id: 'k1', tenant_id: 'acme', roles: ['operator'], expires_at: null }],
  ]);
  const tenants = new Map([
    ['acme', 'active'],
    ['sleepy', 'disabled'],
  ]);
  const calls = { verify: 0, runtime: 0 };
  const app = express();
  app.use(express.json());
  app.use((req, res, next) =>
    req.get('x-service-token') === SERVICE_TOKEN ? next() : res.status(401).end(),
  );
  app.post('/internal/v1/keys/verify', (req, res) => {
    calls.verify++;
    const key = keys.get(req.body.api_key);
    if (!key)
      return res
        .status(401)
        .type('application/problem+json')
        .send({ code: 'RECSYS_AUTH_INVALID', status: 401 });
    res.json(key);
  });
  app.get('/internal/v1/tenants/:id/runtime', (req, res) => {
    calls.runtime++;
    const status = tenants.get(req.params.id);
    if (!status)
      return res
        .status(404)
        .type('application/problem+json')
        .send({ code: 'RECSYS_TENANT_NOT_FOUND', status: 404 });
    res.json({ tenant: { id: 'uuid', external_id: req.params.id, status }, config: null, rules: null });
  });
  return { app, keys, tenants, calls };
}

describe('auth and tenant checks', () => {
  let h: Harness;
  let admin: ReturnType<typeof fakeAdmin>;
  let adminHttp: Awaited<ReturnType<typeof serve>>;
  const outcome = () => ({
    events: [{ type: 'click', item_id: 'i', occurred_at: new Date().toISOString() }],
  });

  beforeAll(async () => {
    admin = fakeAdmin();
    adminHttp = await serve(admin.app);
    h = await startIngest({
      ADMIN_URL: adminHttp.url,
      INGEST_TENANT_CHECK: 'true',
      API_KEY_CACHE_TTL: '10m',
      INGEST_OUTBOX_ENABLED: 'false',
      INGEST_CONSUMER_ENABLED: 'false',
    });
    h.deps.startWorkers();
    await h.deps.control.init();
  });
  afterAll(async () => {
    await h.close();
    await adminHttp.close();
  });

  it('when an API key verified by admin is used, then events are stored for its tenant and the answer is cached', async () => {
    const first = await postJson(`${h.url}/v1/events/outcomes`, outcome(), {
      'x-api-key': 'key-acme-writer',
    });
    expect(first.status).toBe(200);
    const second = await postJson(`${h.url}/v1/events/outcomes`, outcome(), {
      'x-api-key': 'key-acme-writer',
    });
    expect(second.status).toBe(200);
    expect(admin.calls.verify).toBe(1);
    const rows = await h.schema.query(`select distinct tenant_id from outcomes`);
    expect(rows.rows).toEqual([{ tenant_id: 'acme' }]);
  });

  it('when the key names another tenant than X-Org-Id, then 403 RECSYS_TENANT_SCOPE_MISMATCH', async () => {
    const res = await postJson(`${h.url}/v1/events/outcomes`, outcome(), {
      'x-api-key': 'key-acme-writer',
      'x-org-id': 'other',
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('RECSYS_TENANT_SCOPE_MISMATCH');
  });

  it('when an unknown key is used, then 401 RECSYS_AUTH_INVALID', async () => {
    const res = await postJson(`${h.url}/v1/events/outcomes`, outcome(), { 'x-api-key': 'nope' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('RECSYS_AUTH_INVALID');
  });

  it('when admin revokes a cached key on the control stream, then the key stops working at once', async () => {
    admin.keys.delete('key-acme-writer');
    // still cached (TTL 10m)
    expect(
      (await postJson(`${h.url}/v1/events/outcomes`, outcome(), { 'x-api-key': 'key-acme-writer' })).status,
    ).toBe(200);
    await new StreamProducer(h.redis.redis, h.deps.streams.control, 1000).publish('key.revoked', {
      type: 'key.revoked',
      tenant_id: 'acme',
      key_id: 'k1',
      at: new Date().toISOString(),
    });
    await waitFor(
      async () =>
        (await postJson(`${h.url}/v1/events/outcomes`, outcome(), { 'x-api-key': 'key-acme-writer' }))
          .status === 401,
      5000,
      50,
    );
  });

  it('when a service token names an unknown tenant, then 404 RECSYS_TENANT_NOT_FOUND; a disabled one, 403 RECSYS_TENANT_DISABLED', async () => {
    const unknown = await postJson(`${h.url}/v1/events/outcomes`, outcome(), asService('ghost'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('RECSYS_TENANT_NOT_FOUND');
    const disabled = await postJson(`${h.url}/v1/events/outcomes`, outcome(), asService('sleepy'));
    expect(disabled.status).toBe(403);
    expect(disabled.body.code).toBe('RECSYS_TENANT_DISABLED');
    const known = await postJson(`${h.url}/v1/events/outcomes`, outcome(), asService('acme'));
    expect(known.status).toBe(200);
    const calls = admin.calls.runtime;
    await postJson(`${h.url}/v1/events/outcomes`, outcome(), asService('acme'));
    expect(admin.calls.runtime).toBe(calls);
  });

  it('when a tenant is re-enabled on the control stream, then the cached answer is dropped', async () => {
    admin.tenants.set('sleepy', 'active');
    expect((await postJson(`${h.url}/v1/events/outcomes`, outcome(), asService('sleepy'))).status).toBe(403);
    await new StreamProducer(h.redis.redis, h.deps.streams.control, 1000).publish('tenant.enabled', {
      type: 'tenant.enabled',
      tenant_id: 'sleepy',
      at: new Date().toISOString(),
    });
    await waitFor(
      async () =>
        (await postJson(`${h.url}/v1/events/outcomes`, outcome(), asService('sleepy'))).status === 200,
      5000,
      50,
    );
  });

  it('when the admin is unreachable for a tenant lookup, then 503', async () => {
    const res = await fetch(`${h.url}/v1/catalog/items/x`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...asService('new-tenant') },
      body: JSON.stringify({}),
    });
    // new-tenant is unknown to admin → 404 (admin reachable); stop admin and ask for yet another tenant
    expect(res.status).toBe(404);
    await adminHttp.close();
    const down = await postJson(`${h.url}/v1/events/outcomes`, outcome(), asService('brand-new'));
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('RECSYS_UNAVAILABLE');
    adminHttp = await serve(admin.app);
  });
});

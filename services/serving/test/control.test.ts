import { ExposureEvent } from '@recsys/contracts-serving';
import { waitFor } from '@recsys/testing';
import { startAdminStub, type AdminStub } from './admin-stub.js';
import {
  devHeaders,
  ids,
  post,
  publishVersion,
  SERVICE_TOKEN,
  startServing,
  type Serving,
} from './harness.js';

const T = 'ctl';

describe('config, rules and experiments from admin; control events; API keys', () => {
  let admin: AdminStub;
  let serving: Serving;
  const body = { surface: 'home', k: 3, user: { user_id: 'u1' } };
  const rec = (headers: Record<string, string> = devHeaders(T), b: unknown = body) =>
    post(`${serving.url}/v1/recommend`, b, headers);
  const control = (payload: Record<string, unknown>) =>
    serving.redis.redis.xadd(
      `${serving.redis.prefix}recsys.control.v1`,
      '*',
      'type',
      String(payload.type),
      'payload',
      JSON.stringify({ at: new Date().toISOString(), ...payload }),
    );

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, {
      status: 'active',
      config: { version: 'cfg-1', document: { algo: 'popularity' } },
      rules: {
        version: 'rules-1',
        document: { rules: [{ action: 'pin', target_type: 'item', item_ids: ['c'] }] },
      },
    });
    serving = await startServing({
      ADMIN_URL: admin.url,
      API_KEY_CACHE_TTL: '60s',
      RECSYS_CONFIG_CACHE_TTL: '5m',
    });
    for (const tenant of [T, 'exp', 'down']) {
      await publishVersion(serving, { tenant, surface: 'home' }, 'v1', { popularity: { a: 3, b: 2, c: 1 } });
    }
  });

  afterAll(async () => {
    await serving.close();
    await admin.close();
  });

  it('when the tenant has config and rules, then they apply and meta carries their versions', async () => {
    const res = await rec();
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['c', 'a', 'b']);
    expect(res.body.meta).toMatchObject({
      config_version: 'cfg-1',
      rules_version: 'rules-1',
      algo_version: 'recsys-algo@local:popularity',
    });
  });

  it('when config.updated arrives, then the next responses use the new version within a second', async () => {
    admin.tenants.get(T)!.config = { version: 'cfg-2', document: { algo: 'blend' } };
    admin.tenants.get(T)!.rules = { version: 'rules-2', document: [] };
    await control({ type: 'config.updated', tenant_id: T, version: 'cfg-2' });
    await waitFor(async () => (await rec()).body.meta.config_version === 'cfg-2', 1000);
    const res = await rec();
    expect(res.body.meta.rules_version).toBe('rules-2');
    expect(ids(res.body)).toEqual(['a', 'b', 'c']);
  });

  it('when the cached runtime is revalidated and nothing changed, then admin answers 304 to If-None-Match and the cached view stays', async () => {
    const runtimeCalls = admin.calls.runtime;
    const notModified = admin.calls.notModified;
    await control({ type: 'cache.invalidated', tenant_id: T, targets: ['config', 'rules'] });
    await waitFor(() => admin.calls.runtime > runtimeCalls, 1000);
    expect(admin.calls.notModified).toBe(notModified + 1);
    const res = await rec();
    expect(res.body.meta).toMatchObject({ config_version: 'cfg-2', rules_version: 'rules-2' });
    // Within the cache TTL requests are served from the cache, without calling admin.
    expect(admin.calls.runtime).toBe(runtimeCalls + 1);
  });

  it('when admin is down, then the last good config keeps being used', async () => {
    admin.down = true;
    try {
      await control({ type: 'rules.updated', tenant_id: T, version: 'rules-3' });
      await new Promise((r) => setTimeout(r, 200));
      const res = await rec();
      expect(res.status).toBe(200);
      expect(res.body.meta.config_version).toBe('cfg-2');
      // A tenant never seen while admin is down gets defaults, with a warning.
      const fresh = await rec(devHeaders('down'));
      expect(fresh.status).toBe(200);
      expect(fresh.body.warnings.map((w: any) => w.code)).toContain('CONFIG_UNAVAILABLE');
      const ready: any = await (await fetch(`${serving.url}/readyz`)).json();
      expect(ready.checks.admin.status).toBe('degraded');
    } finally {
      admin.down = false;
    }
  });

  it('when the tenant is disabled, then it is refused within a second; enabled again, served again', async () => {
    admin.tenants.get(T)!.status = 'disabled';
    await control({ type: 'tenant.disabled', tenant_id: T });
    await waitFor(async () => (await rec()).status === 403, 1000);
    expect((await rec()).body.code).toBe('RECSYS_TENANT_DISABLED');
    admin.tenants.get(T)!.status = 'active';
    await control({ type: 'tenant.enabled', tenant_id: T });
    await waitFor(async () => (await rec()).status === 200, 1000);
  });

  it('when the tenant is unknown to admin, then 404 RECSYS_TENANT_NOT_FOUND', async () => {
    const res = await rec(devHeaders('nobody'));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('RECSYS_TENANT_NOT_FOUND');
  });

  it('when an API key is used, then it is verified through admin and cached; key.revoked stops it at once', async () => {
    admin.keys.set('rk_live_1', { key_id: 'key-1', tenant_id: T, roles: ['viewer'] });
    const headers = { 'content-type': 'application/json', 'X-API-Key': 'rk_live_1' };
    expect((await rec(headers)).status).toBe(200);
    expect((await rec(headers)).status).toBe(200);
    expect(admin.calls.verify).toBe(1);
    expect((await rec({ ...headers, 'X-Org-Id': 'other' })).body.code).toBe('RECSYS_TENANT_SCOPE_MISMATCH');
    admin.keys.delete('rk_live_1');
    await control({ type: 'key.revoked', tenant_id: T, key_id: 'key-1' });
    await waitFor(async () => (await rec(headers)).status === 401, 1000);
    expect((await rec(headers)).body.code).toBe('RECSYS_AUTH_INVALID');
  });

  it('when the tenant runs an experiment, then the variant is assigned deterministically, returned in meta and carried on the exposure', async () => {
    admin.tenants.set('exp', {
      status: 'active',
      config: {
        version: 'e1',
        document: {
          experiments: [
            {
              id: 'exp-1',
              enabled: true,
              traffic_percent: 100,
              variants: [
                { name: 'control', weight: 1 },
                { name: 'popular', weight: 1, overrides: { algo: 'popularity' } },
              ],
            },
          ],
        },
      },
    });
    const assigned = new Map<string, string>();
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      const first = await rec(devHeaders('exp', [], { 'X-Request-Id': `exp-${user}` }), {
        ...body,
        user: { user_id: user },
      });
      const again = await rec(devHeaders('exp'), { ...body, user: { user_id: user } });
      expect(first.body.meta.experiment.id).toBe('exp-1');
      expect(again.body.meta.experiment).toEqual(first.body.meta.experiment);
      assigned.set(user, first.body.meta.experiment.variant);
    }
    expect(new Set(assigned.values()).size).toBe(2);
    const forced = await rec(devHeaders('exp'), { ...body, experiment: { id: 'exp-1', variant: 'popular' } });
    expect(forced.body.meta.experiment).toEqual({ id: 'exp-1', variant: 'popular' });
    expect(forced.body.meta.algo_version).toBe('recsys-algo@local');
    await serving.deps.exposures!.flush();
    const entries = (await serving.redis.redis.xrange(
      `${serving.redis.prefix}recsys.exposures.v1`,
      '-',
      '+',
    )) as [string, string[]][];
    const exposure = entries
      .map(([, f]) => ExposureEvent.parse(JSON.parse(f[f.indexOf('payload') + 1]!)))
      .find((e) => e.request_id === 'exp-u1');
    expect(exposure?.experiment).toEqual({ id: 'exp-1', variant: assigned.get('u1') });
  });
});

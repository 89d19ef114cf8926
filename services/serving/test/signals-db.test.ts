import { waitFor } from '@recsys/testing';
import { startAdminStub, type AdminStub } from './admin-stub.js';
import {
  artifactsFor,
  devHeaders,
  ids,
  manifestFor,
  post,
  publishVersion,
  SERVICE_TOKEN,
  startServing,
  type Serving,
} from './harness.js';

const T = 'dbten';
const minimal = { surface: 'home', k: 3, user: { user_id: 'u1' } };
const svc = { 'content-type': 'application/json', 'X-Service-Token': SERVICE_TOKEN };

describe('DB-only signal versions (bulk load, atomic activation, preview, degraded Postgres)', () => {
  let admin: AdminStub;
  let serving: Serving;
  const rec = (headers: Record<string, string> = devHeaders(T), body: unknown = minimal) =>
    post(`${serving.url}/v1/recommend`, body, headers);
  const base = (version: string, surface = 'home', segment = 'default') =>
    `${serving.url}/internal/v1/signals/${T}/${surface}/${segment}/versions/${version}`;

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    serving = await startServing({ ADMIN_URL: admin.url });
  });

  afterAll(async () => {
    await serving.close();
    await admin.close();
  });

  it('when nothing is published, then 200 with no items and a SIGNAL_UNAVAILABLE warning (never a silent empty list)', async () => {
    const res = await rec();
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.warnings.some((w: any) => w.code === 'SIGNAL_UNAVAILABLE')).toBe(true);
  });

  it('when a new version is activated, then responses change without a restart and the old one goes to history', async () => {
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v1', { popularity: { a: 3, b: 2, c: 1 } });
    const first = await rec();
    expect(ids(first.body)).toEqual(['a', 'b', 'c']);
    expect(first.body.meta.signal_version).toBe('v1');

    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v2', { popularity: { x: 3, y: 2, z: 1 } });
    const second = await rec();
    expect(ids(second.body)).toEqual(['x', 'y', 'z']);
    expect(second.body.meta.signal_version).toBe('v2');

    const status = await fetch(`${serving.url}/internal/v1/signals/${T}/home/default`, { headers: svc });
    const body: any = await status.json();
    expect(body.live.version).toBe('v2');
    expect(body.history.map((v: any) => v.version)).toEqual(['v1']);
    expect(body.live.counts).toEqual({ popularity: 3 });
  });

  it('when the same version is put again, then 201 idempotently; different content → 409; invalid artifact → 422', async () => {
    const doc = {
      manifest: manifestFor(T, 'home', 'default', 'v3'),
      artifacts: artifactsFor(T, 'home', 'default', { popularity: { q: 1 } }),
    };
    const put = (body: unknown) =>
      fetch(base('v3'), { method: 'PUT', headers: svc, body: JSON.stringify(body) });
    expect((await put(doc)).status).toBe(201);
    const again = await put(doc);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual({ version: 'v3', status: 'staged', counts: { popularity: 1 } });
    // The same build published again later (a re-run over the same window): only the publication fields differ.
    const republished = await put({
      ...doc,
      manifest: { ...doc.manifest, updated_at: '2031-01-01T00:00:00.000Z', previous_version: 'v2' },
    });
    expect(republished.status).toBe(201);
    const conflict = await put({
      ...doc,
      artifacts: artifactsFor(T, 'home', 'default', { popularity: { r: 1 } }),
    });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as any).code).toBe('RECSYS_SIGNAL_VERSION_CONFLICT');
    const wrongTenant = await fetch(base('v4'), {
      method: 'PUT',
      headers: svc,
      body: JSON.stringify({
        manifest: manifestFor(T, 'home', 'default', 'v4'),
        artifacts: artifactsFor('someone-else', 'home', 'default', { popularity: { q: 1 } }),
      }),
    });
    expect(wrongTenant.status).toBe(422);
    expect(((await wrongTenant.json()) as any).code).toBe('RECSYS_ARTIFACT_INCOMPATIBLE');
    const noToken = await fetch(base('v5'), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(401);
    const unknown = await fetch(`${base('nope')}/activate`, { method: 'POST', headers: svc });
    expect(unknown.status).toBe(404);
  });

  it('when previewing a staged version with an operator or service credential, then it ranks with that version and emits no exposure', async () => {
    // v3 is staged (q only); v2 is live.
    const preview = await rec({
      ...devHeaders(T, ['operator']),
      'X-Recsys-Signal-Version': 'v3',
      'X-Request-Id': 'prev-1',
    });
    expect(preview.status).toBe(200);
    expect(ids(preview.body)).toEqual(['q']);
    expect(preview.body.meta.signal_version).toBe('v3');
    const service = await rec({ ...svc, 'X-Org-Id': T, 'X-Recsys-Signal-Version': 'v1' });
    expect(ids(service.body)).toEqual(['a', 'b', 'c']);
    const viewer = await rec({ ...devHeaders(T, ['viewer']), 'X-Recsys-Signal-Version': 'v3' });
    expect(viewer.status).toBe(403);
    const missing = await rec({ ...devHeaders(T, ['operator']), 'X-Recsys-Signal-Version': 'v99' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('RECSYS_SIGNAL_VERSION_NOT_FOUND');
    // The live version is untouched, and the preview left no exposure behind.
    expect(ids((await rec(devHeaders(T, [], { 'X-Request-Id': 'live-1' }))).body)).toEqual(['x', 'y', 'z']);
    await serving.deps.exposures!.flush();
    const entries = (await serving.redis.redis.xrange(
      `${serving.redis.prefix}recsys.exposures.v1`,
      '-',
      '+',
    )) as [string, string[]][];
    const requestIds = entries.map(([, f]) => JSON.parse(f[f.indexOf('payload') + 1]!).request_id);
    expect(requestIds).toContain('live-1');
    expect(requestIds).not.toContain('prev-1');
  });

  it('when a segment has its own version, then it is used for that segment and other segments fall back to default', async () => {
    await publishVersion(serving, { tenant: T, surface: 'home', segment: 'vip' }, 's1', {
      popularity: { vip1: 1 },
    });
    expect(ids((await rec(devHeaders(T), { ...minimal, segment: 'vip' })).body)).toEqual(['vip1']);
    expect(ids((await rec(devHeaders(T), { ...minimal, segment: 'other' })).body)).toEqual(['x', 'y', 'z']);
  });

  it('when another replica activates a version, then this replica follows on the manifests event', async () => {
    const other = await startServing(
      { ADMIN_URL: admin.url },
      { schema: serving.schema, redis: serving.redis },
    );
    try {
      await publishVersion(other, { tenant: T, surface: 'home' }, 'v6', { popularity: { m: 2, n: 1 } });
      // The publisher announces the activation on the manifests stream.
      await serving.redis.redis.xadd(
        `${serving.redis.prefix}recsys.manifests.v1`,
        '*',
        'type',
        'manifest.published',
        'payload',
        JSON.stringify({
          type: 'manifest.published',
          tenant_id: T,
          surface: 'home',
          segment: 'default',
          version: 'v6',
          at: new Date().toISOString(),
        }),
      );
      await waitFor(async () => ids((await rec()).body).join() === 'm,n', 3000);
    } finally {
      await other.close();
    }
  });

  it('when a large version is activated, then /healthz keeps answering while it is built', async () => {
    // 30k items with 20 i2i neighbours each: a build of about 700,000 units of work.
    const n = 30_000;
    const i2i: Record<string, Record<string, number>> = {};
    const popularity: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      popularity[`big-${i}`] = n - i;
      const nbs: Record<string, number> = {};
      for (let j = 1; j <= 20; j++) nbs[`big-${(i * 31 + j * 7) % n}`] = 1 / j;
      i2i[`big-${i}`] = nbs;
    }
    await publishVersion(serving, { tenant: T, surface: 'big' }, 'big-1', { popularity, i2i }, false);
    const started = performance.now();
    let activated = false;
    const activation = fetch(`${base('big-1', 'big')}/activate`, { method: 'POST', headers: svc }).then(
      (r) => {
        activated = true;
        return r;
      },
    );
    let slowest = 0;
    let answered = 0;
    while (!activated) {
      const t0 = performance.now();
      const health = await fetch(`${serving.url}/healthz`);
      await health.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - t0);
      answered++;
    }
    expect((await activation).status).toBe(200);
    const activationMs = performance.now() - started;
    // Built in one piece, the build alone held /healthz for most of the activation.
    expect(answered).toBeGreaterThan(3);
    expect(slowest).toBeLessThan(activationMs / 2);
    const res = await rec(devHeaders(T), { ...minimal, surface: 'big' });
    expect(res.body.meta.signal_version).toBe('big-1');
    expect(ids(res.body)).toEqual(['big-0', 'big-1', 'big-2']);
  });

  it('when Postgres becomes unreachable, then recommendations keep coming from memory and /readyz reports degraded', async () => {
    const before = await rec();
    expect(before.status).toBe(200);
    await serving.deps.pool.end();
    const during = await rec();
    expect(during.status).toBe(200);
    expect(during.body.items).toEqual(before.body.items);
    const ready = await fetch(`${serving.url}/readyz`);
    const report: any = await ready.json();
    expect(ready.status).toBe(200);
    expect(report.status).toBe('degraded');
    expect(report.checks.postgres.status).toBe('degraded');
    expect(report.checks.signals.status).toBe('ok');
  });
});

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
import { privateSchema, startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';

const T = 'pgdown';

/** DB-only mode with its Postgres really stopped (a private embedded Postgres, never the shared one). */
describe('serving while its Postgres is stopped', () => {
  let postgres: PrivatePostgres;
  let admin: AdminStub;
  let serving: Serving;
  const rec = (k = 3) =>
    post(`${serving.url}/v1/recommend`, { surface: 'home', k, user: { user_id: 'u1' } }, devHeaders(T));
  const readyz = async () => {
    const res = await fetch(`${serving.url}/readyz`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(`${serving.url}/metrics`)).text();
    return Number(text.match(pattern)?.[1] ?? 0);
  };

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    serving = await startServing(
      // The periodic live-version check runs (and fails) several times while Postgres is down.
      { ADMIN_URL: admin.url, SERVING_SIGNAL_REFRESH_INTERVAL: '300ms' },
      { schema: await privateSchema(postgres, 'serving_outage') },
    );
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v1', {
      popularity: { a: 3, b: 2, c: 1 },
      cooc: { a: { b: 2, c: 1 } },
    });
  }, 120_000);

  afterAll(async () => {
    await serving?.close();
    await admin?.close();
    await postgres?.destroy();
  }, 60_000);

  it('when Postgres stops, then recommend and similar keep answering from memory and /readyz reports the degradation; a failed reload is reported and clears once Postgres is back', async () => {
    const before = await rec();
    expect(ids(before.body)).toEqual(['a', 'b', 'c']);
    const similarBefore = await post(
      `${serving.url}/v1/similar`,
      { surface: 'home', item_id: 'a' },
      devHeaders(T),
    );
    expect(ids(similarBefore.body)).toEqual(['b', 'c']);

    await postgres.stop();
    const degraded = (await waitFor(async () => {
      const r = await readyz();
      return r.body.checks.postgres.status !== 'ok' ? r : undefined;
    }, 10_000))!;
    // Readiness stays 200 (serving answers from memory) and says what is wrong.
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.checks.postgres.status).toBe('degraded');
    expect(degraded.body.checks.signals.status).toBe('ok');

    // Several refresh intervals pass with Postgres down; every answer is the in-memory one.
    const until = Date.now() + 1500;
    let served = 0;
    while (Date.now() < until) {
      const res = await rec();
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual(before.body.items);
      expect(res.body.meta.signal_version).toBe('v1');
      served++;
    }
    expect(served).toBeGreaterThan(3);
    const similar = await post(`${serving.url}/v1/similar`, { surface: 'home', item_id: 'a' }, devHeaders(T));
    expect(similar.status).toBe(200);
    expect(similar.body.items).toEqual(similarBefore.body.items);

    // A manifests event asks for a reload that cannot reach Postgres: the last good snapshot stays, and the
    // failure shows on responses (SIGNAL_STALE), in readiness detail and in the load-failure metric.
    const failuresBefore = await metric(
      /^recsys_artifact_load_failures_total\{[^}]*kind="manifest"[^}]*\} (\d+)/m,
    );
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
        version: 'v1',
        at: new Date().toISOString(),
      }),
    );
    const stale = (await waitFor(async () => {
      const res = await rec();
      return res.body.warnings?.some((w: any) => w.code === 'SIGNAL_STALE') ? res : undefined;
    }, 10_000))!;
    expect(stale.status).toBe(200);
    expect(stale.body.items).toEqual(before.body.items);
    const staleReady = await readyz();
    expect(staleReady.status).toBe(200);
    expect(staleReady.body.checks.signals.status).toBe('degraded');
    expect(staleReady.body.checks.signals.detail).toContain(`${T}/home/default`);
    expect(staleReady.body.checks.signals.detail).toContain('serving v1');
    expect(
      await metric(/^recsys_artifact_load_failures_total\{[^}]*kind="manifest"[^}]*\} (\d+)/m),
    ).toBeGreaterThan(failuresBefore);

    // Postgres back: readiness and responses recover by themselves, and new versions load again.
    await postgres.start();
    await waitFor(
      async () => {
        const r = await readyz();
        return r.body.checks.postgres.status === 'ok' && r.body.checks.signals.status === 'ok';
      },
      30_000,
      100,
    );
    const recovered = await rec();
    expect(recovered.body.items).toEqual(before.body.items);
    expect(recovered.body.warnings?.some((w: any) => w.code === 'SIGNAL_STALE') ?? false).toBe(false);
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v2', { popularity: { x: 2, y: 1 } });
    expect(ids((await rec()).body)).toEqual(['x', 'y']);
  }, 120_000);
});

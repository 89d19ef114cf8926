import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@recsys/testing';
import { expandTemplate } from '../src/signals/sources.js';
import { startAdminStub, type AdminStub } from './admin-stub.js';
import { fileWriter, writeArtifactSet } from './artifact-files.js';
import { devHeaders, ids, manifestFor, post, SERVICE_TOKEN, startServing, type Serving } from './harness.js';

const T = 'filet';
const minimal = (surface = 'home') => ({ surface, k: 5, user: { user_id: 'u1' } });

describe('artifact mode with file:// manifests (reference §9.2 serving 12)', () => {
  let admin: AdminStub;
  let serving: Serving;
  let root: string;
  let write: (key: string, body: string) => void;
  const rec = (surface = 'home') => post(`${serving.url}/v1/recommend`, minimal(surface), devHeaders(T));
  const control = (payload: Record<string, unknown>) =>
    serving.redis.redis.xadd(
      `${serving.redis.prefix}recsys.control.v1`,
      '*',
      'type',
      String(payload.type),
      'payload',
      JSON.stringify(payload),
    );
  const manifestEvent = (surface: string, version: string) =>
    serving.redis.redis.xadd(
      `${serving.redis.prefix}recsys.manifests.v1`,
      '*',
      'type',
      'manifest.published',
      'payload',
      JSON.stringify({
        type: 'manifest.published',
        tenant_id: T,
        surface,
        segment: 'default',
        version,
        at: new Date().toISOString(),
      }),
    );

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'serving-artifacts-'));
    write = fileWriter(root);
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    await writeArtifactSet(write, (k) => `file://${k}`, T, 'home', 'v1', {
      popularity: { a: 5, b: 9, c: 1 },
      catalog: { a: { tags: ['x'] }, b: { tags: ['y'] } },
    });
    serving = await startServing({
      ADMIN_URL: admin.url,
      RECSYS_ARTIFACT_MODE_ENABLED: 'true',
      RECSYS_ARTIFACT_MANIFEST_TEMPLATE: 'file://{tenant}/{surface}/manifest.json',
      RECSYS_ARTIFACT_FILE_ROOT: root,
      RECSYS_ARTIFACT_MANIFEST_TTL: '0',
    });
  });

  afterAll(async () => {
    await serving.close();
    await admin.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('when a manifest is published under the file root, then its popularity is served and the manifest-age gauge is set', async () => {
    const res = await rec();
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['b', 'a', 'c']);
    expect(res.body.meta.signal_version).toBe('v1');
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`recsys_artifact_manifest_age_seconds\\{[^}]*tenant="${T}"[^}]*\\} \\d`),
    );
    expect(metrics).toMatch(new RegExp(`recsys_signal_snapshot_bytes\\{[^}]*tenant="${T}"[^}]*\\} [1-9]`));
  });

  it('when the manifest is missing, then 200 with no items and a warning; similar without a source says SIGNAL_UNAVAILABLE', async () => {
    const res = await rec('nothing-here');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.warnings.map((w: any) => w.code)).toContain('SIGNAL_UNAVAILABLE');
    const sim = await post(`${serving.url}/v1/similar`, { surface: 'home', item_id: 'a' }, devHeaders(T));
    expect(sim.status).toBe(200);
    expect(sim.body.warnings).toContainEqual({
      code: 'SIGNAL_UNAVAILABLE',
      detail: 'similarity signals unavailable',
    });
  });

  it('when the manifest is corrupt or for another tenant, then 422 RECSYS_ARTIFACT_INCOMPATIBLE', async () => {
    write(`${T}/corrupt/manifest.json`, '{"v": 1, "tenant": ');
    const corrupt = await rec('corrupt');
    expect(corrupt.status).toBe(422);
    expect(corrupt.body.code).toBe('RECSYS_ARTIFACT_INCOMPATIBLE');
    write(
      `${T}/mismatch/manifest.json`,
      JSON.stringify(manifestFor('someone-else', 'mismatch', 'default', 'v1')),
    );
    const mismatch = await rec('mismatch');
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.detail).toContain('someone-else');
  });

  it('when an artifact URI escapes the root, then it is refused; template values with traversal are rejected', async () => {
    writeFileSync(join(tmpdir(), 'outside-serving.json'), '{}');
    write(
      `${T}/escape/manifest.json`,
      JSON.stringify(
        manifestFor(T, 'escape', 'default', 'v1', { popularity: `file://../../outside-serving.json` }),
      ),
    );
    const escape = await rec('escape');
    expect(escape.status).toBe(422);
    expect(escape.body.detail).toMatch(/escapes the artifact root/);
    write(
      `${T}/absolute/manifest.json`,
      JSON.stringify(
        manifestFor(T, 'absolute', 'default', 'v1', { popularity: join(tmpdir(), 'outside-serving.json') }),
      ),
    );
    expect((await rec('absolute')).status).toBe(422);
    expect(() =>
      expandTemplate('file://{tenant}/{surface}/m.json', { tenant: '..', surface: 'home' }),
    ).toThrow(/invalid path segment/);
    expect(() =>
      expandTemplate('file://{tenant}/{surface}/m.json', { tenant: 'a/b', surface: 'home' }),
    ).toThrow();
    expect(expandTemplate('s3://b/{tenant}/{surface}/m.json', { tenant: 'acme', surface: 'home' })).toBe(
      's3://b/acme/home/m.json',
    );
  });

  it('when the manifest is swapped and popularity invalidated, then the new version is served without a restart', async () => {
    await writeArtifactSet(write, (k) => `file://${k}`, T, 'home', 'v2', { popularity: { p: 3, q: 2 } });
    // TTL 0: nothing changes until an event says so.
    expect(ids((await rec()).body)).toEqual(['b', 'a', 'c']);
    await control({
      type: 'cache.invalidated',
      tenant_id: T,
      targets: ['popularity'],
      at: new Date().toISOString(),
    });
    await waitFor(async () => ids((await rec()).body).join() === 'p,q', 3000);
  });

  it('when the new manifest is broken, then the previous results stay, with a SIGNAL_STALE warning, a load-failure metric and degraded readiness', async () => {
    write(`${T}/home/manifest.json`, 'not json');
    await manifestEvent('home', 'v3');
    const res = (await waitFor(async () => {
      const r = await rec();
      return r.body.warnings?.some((w: any) => w.code === 'SIGNAL_STALE') ? r : undefined;
    }, 3000))!;
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['p', 'q']);
    expect(res.body.warnings.find((w: any) => w.code === 'SIGNAL_STALE').detail).toMatch(
      /serving version v2/,
    );
    const ready: any = await (await fetch(`${serving.url}/readyz`)).json();
    expect(ready.checks.signals.status).toBe('degraded');
    expect(ready.checks.signals.detail).toContain(`${T}/home/default`);
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    expect(metrics).toMatch(/recsys_artifact_load_failures_total\{[^}]*kind="manifest"[^}]*\} [1-9]/);
  });

  it('when an artifact does not match its manifest checksum, then it is refused and the last good snapshot stays', async () => {
    await writeArtifactSet(
      write,
      (k) => `file://${k}`,
      T,
      'home',
      'v4',
      { popularity: { z: 1 } },
      { tamper: 'popularity' },
    );
    await manifestEvent('home', 'v4');
    await waitFor(async () => {
      const metrics = await (await fetch(`${serving.url}/metrics`)).text();
      return /recsys_artifact_load_failures_total\{[^}]*kind="popularity"[^}]*\} [1-9]/.test(metrics);
    }, 3000);
    expect(ids((await rec()).body)).toEqual(['p', 'q']);
    // A good manifest clears the failure.
    await writeArtifactSet(write, (k) => `file://${k}`, T, 'home', 'v5', { popularity: { g: 1 } });
    await manifestEvent('home', 'v5');
    await waitFor(async () => ids((await rec()).body).join() === 'g', 3000);
    const ok = await rec();
    expect(ok.body.warnings?.some((w: any) => w.code === 'SIGNAL_STALE') ?? false).toBe(false);
  });
});

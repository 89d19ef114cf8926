import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3, waitFor, type TestS3 } from '@recsys/testing';
import { startAdminStub, type AdminStub } from './admin-stub.js';
import { writeArtifactSet } from './artifact-files.js';
import { devHeaders, ids, post, SERVICE_TOKEN, startServing, type Serving } from './harness.js';

const T = 's3ten';

describe('artifact mode with s3:// manifests (s3rver)', () => {
  let s3: TestS3;
  let admin: AdminStub;
  let serving: Serving;
  const put = async (key: string, body: string) => {
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `registry/${key}`, Body: body }));
  };
  const uriOf = (key: string) => `s3://${s3.bucket}/registry/${key}`;
  const rec = () =>
    post(`${serving.url}/v1/recommend`, { surface: 'home', k: 5, user: { user_id: 'u' } }, devHeaders(T));

  beforeAll(async () => {
    s3 = await startS3();
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    await writeArtifactSet(put, uriOf, T, 'home', 'v1', {
      popularity: { a: 1, b: 2 },
      cooc: { a: { b: 1 } },
    });
    serving = await startServing({
      ADMIN_URL: admin.url,
      RECSYS_ARTIFACT_MODE_ENABLED: 'true',
      RECSYS_ARTIFACT_MANIFEST_TEMPLATE: `s3://${s3.bucket}/registry/{tenant}/{surface}/manifest.json`,
      RECSYS_ARTIFACT_S3_ENDPOINT: s3.endpoint,
      RECSYS_ARTIFACT_S3_ACCESS_KEY: 'S3RVER',
      RECSYS_ARTIFACT_S3_SECRET_KEY: 'S3RVER',
      RECSYS_ARTIFACT_MANIFEST_TTL: '300ms',
    });
  });

  afterAll(async () => {
    await serving.close();
    await admin.close();
    await s3.stop();
  });

  it('when the manifest is in S3, then it is served; a swapped manifest is picked up after the TTL without a restart', async () => {
    const first = await rec();
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual(['b', 'a']);
    expect(first.body.meta.signal_version).toBe('v1');
    const sim = await post(`${serving.url}/v1/similar`, { surface: 'home', item_id: 'a' }, devHeaders(T));
    expect(ids(sim.body)).toEqual(['b']);

    await writeArtifactSet(put, uriOf, T, 'home', 'v2', { popularity: { c: 5, d: 1 } });
    await waitFor(async () => (await rec()).body.meta.signal_version === 'v2', 5000, 100);
    expect(ids((await rec()).body)).toEqual(['c', 'd']);
  });

  it('when previewing a staged version, then its staged manifest is read and no exposure is emitted', async () => {
    await writeArtifactSet(
      put,
      uriOf,
      T,
      'home',
      'v9',
      { popularity: { staged: 1 } },
      { manifestKey: `${T}/home/v9/manifest.json` },
    );
    const preview = await post(
      `${serving.url}/v1/recommend`,
      { surface: 'home', k: 5, user: { user_id: 'u' } },
      devHeaders(T, ['operator'], { 'X-Recsys-Signal-Version': 'v9', 'X-Request-Id': 's3-preview' }),
    );
    expect(preview.status).toBe(200);
    expect(ids(preview.body)).toEqual(['staged']);
    expect(preview.body.meta.signal_version).toBe('v9');
    const unknown = await post(
      `${serving.url}/v1/recommend`,
      { surface: 'home', k: 5, user: { user_id: 'u' } },
      devHeaders(T, ['operator'], { 'X-Recsys-Signal-Version': 'v404' }),
    );
    expect(unknown.status).toBe(404);
    await serving.deps.exposures!.flush();
    const entries = (await serving.redis.redis.xrange(
      `${serving.redis.prefix}recsys.exposures.v1`,
      '-',
      '+',
    )) as [string, string[]][];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.some(([, f]) => f.join(' ').includes('s3-preview'))).toBe(false);
  });

  it('when the S3 manifest turns invalid, then the previous results stay with a SIGNAL_STALE warning', async () => {
    await put(`${T}/home/manifest.json`, JSON.stringify({ v: 2 }));
    const stale = await waitFor(
      async () => {
        const r = await rec();
        return r.body.warnings?.some((w: any) => w.code === 'SIGNAL_STALE') ? r : undefined;
      },
      5000,
      100,
    );
    expect(ids(stale!.body)).toEqual(['c', 'd']);
    expect(stale!.body.meta.signal_version).toBe('v2');
  });
});

/**
 * Slow fault tests (`pnpm test:faults`): serving in artifact mode reading manifests from S3 (s3rver from
 * @recsys/testing, reached through a TCP proxy that the test takes down and brings back). Figures are printed
 * and written to packages/reliability/results/faults-artifacts.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3, type TestS3 } from '@recsys/testing';
import {
  createTenantWithKey,
  http,
  readyz,
  sleep,
  startFaultStack,
  startLoad,
  startTcpProxy,
  summarize,
  waitUntil,
  writeArtifactSet,
  type FaultStack,
  type TcpProxy,
} from '../src/harness.js';

const BASE_PORT = Number(process.env.FAULTS_ARTIFACTS_BASE_PORT ?? 19010);
const PG_PORT = Number(process.env.FAULTS_ARTIFACTS_PG_PORT ?? 54342);
const TENANT = 'artco';
const results: Record<string, unknown> = {};

jest.setTimeout(240_000);

describe('faults (artifact mode, S3)', () => {
  let s3: TestS3;
  let proxy: TcpProxy;
  let fs: FaultStack;
  const put = async (key: string, body: string) => {
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  };
  const headers = () => ({ 'x-service-token': fs.serviceToken, 'x-org-id': TENANT });
  const recommend = () =>
    http('POST', `${fs.urls.serving}/v1/recommend`, {
      headers: headers(),
      body: { surface: 'home', k: 5, user: { user_id: 'u1' } },
    });
  const versionServed = async () => (await recommend()).body?.meta?.signal_version as string | undefined;
  const load = () =>
    startLoad({
      url: `${fs.urls.serving}/v1/recommend`,
      headers: headers(),
      body: () => ({ surface: 'home', k: 5, user: { user_id: `u${Math.floor(Math.random() * 50)}` } }),
      concurrency: 3,
      pauseMs: 10,
    });

  beforeAll(async () => {
    s3 = await startS3();
    proxy = await startTcpProxy(Number(new URL(s3.endpoint).port));
    await writeArtifactSet(put, s3.bucket, TENANT, 'home', 'v1', { a: 3, b: 2, c: 1 });
    fs = await startFaultStack({
      name: 'faultsart',
      basePort: BASE_PORT,
      pgPort: PG_PORT,
      env: {
        RECSYS_ARTIFACT_MODE_ENABLED: 'true',
        RECSYS_ARTIFACT_MANIFEST_TEMPLATE: `s3://${s3.bucket}/registry/{tenant}/{surface}/manifest.json`,
        RECSYS_ARTIFACT_S3_ENDPOINT: proxy.url(),
        RECSYS_ARTIFACT_S3_USE_SSL: 'false',
        RECSYS_ARTIFACT_S3_ACCESS_KEY: 'S3RVER',
        RECSYS_ARTIFACT_S3_SECRET_KEY: 'S3RVER',
        RECSYS_ARTIFACT_MANIFEST_TTL: '1s',
      },
      log: (m) => process.stdout.write(`[stack] ${m}\n`),
    });
    await createTenantWithKey(fs, TENANT);
    await waitUntil(async () => (await versionServed()) === 'v1', 60_000, 'serving to serve v1 from S3', 250);
  }, 300_000);

  afterAll(async () => {
    const dir = join(__dirname, '..', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'faults-artifacts.json'),
      JSON.stringify({ at: new Date().toISOString(), results }, null, 2),
    );
    process.stdout.write(`faults-artifacts results: ${JSON.stringify(results, null, 2)}\n`);
    await fs?.stop();
    await proxy?.close();
    await s3?.stop();
  }, 120_000);

  it('when S3 becomes unreachable during a manifest refresh, then serving keeps answering 200 from the last good version and picks up the new one by itself once S3 is back', async () => {
    const run = load();
    await proxy.down();
    // A new version is published while serving cannot reach S3.
    await writeArtifactSet(put, s3.bucket, TENANT, 'home', 'v2', { d: 3, e: 2 });
    await sleep(6000); // several manifest TTLs (1 s) of failed refreshes
    const whileDown = await readyz(fs.urls.serving);
    const servedWhileDown = await versionServed();
    const t0 = Date.now();
    await proxy.up();
    await waitUntil(
      async () => (await versionServed()) === 'v2',
      60_000,
      'serving to pick up v2 after S3 returns',
      200,
    );
    const recoverySeconds = (Date.now() - t0) / 1000;
    const stats = await run.stop();
    results.s3Unreachable = {
      requests: stats.total,
      byStatus: stats.byStatus,
      servedWhileDown,
      readyzWhileDown: {
        status: whileDown.status,
        overall: whileDown.body?.status,
        checks: whileDown.body?.checks,
      },
      recoverySeconds,
      p50: stats.p50,
      p99: stats.p99,
    };
    expect(servedWhileDown).toBe('v1');
    expect(whileDown.status).toBe(200);
    expect(whileDown.body.status).toBe('degraded');
    expect(stats.total - stats.ok).toBe(0);
  });

  it('when the manifest is corrupt (not JSON, then a checksum mismatch), then serving keeps the last good version with 200 and takes the next good manifest', async () => {
    const run = load();
    await put(`registry/${TENANT}/home/manifest.json`, '{"v":1,"tenant":"artco", this is not json');
    await sleep(4000);
    const afterGarbage = await versionServed();
    const readyGarbage = await readyz(fs.urls.serving);
    // A syntactically valid manifest whose artifact does not match its sha256.
    await writeArtifactSet(put, s3.bucket, TENANT, 'home', 'v3', { f: 1 });
    await put(`registry/${TENANT}/home/v3/popularity.json`, JSON.stringify({ tampered: true }));
    await sleep(4000);
    const afterTamper = await versionServed();
    const t0 = Date.now();
    await writeArtifactSet(put, s3.bucket, TENANT, 'home', 'v4', { g: 2, h: 1 });
    await waitUntil(async () => (await versionServed()) === 'v4', 60_000, 'serving to take the good v4', 200);
    const recoverySeconds = (Date.now() - t0) / 1000;
    const stats = await run.stop();
    results.corruptManifest = {
      requests: stats.total,
      byStatus: stats.byStatus,
      servedAfterGarbage: afterGarbage,
      servedAfterChecksumMismatch: afterTamper,
      readyzAfterGarbage: { status: readyGarbage.status, overall: readyGarbage.body?.status },
      recoverySeconds,
    };
    expect(afterGarbage).toBe('v2');
    expect(readyGarbage.body.status).toBe('degraded');
    expect(afterTamper).toBe('v2');
    expect(stats.total - stats.ok).toBe(0);
  });

  it('when a publish stops between uploading objects and moving the pointer, then serving stays on the previous version and the retried publish is picked up', async () => {
    const run = load();
    // Objects of v5 are uploaded; the pointer (manifest) is not moved: the publisher died in between.
    await writeArtifactSet(put, s3.bucket, TENANT, 'home', 'v5', { i: 9 }, { movePointer: false });
    await sleep(4000);
    const servedAfterCrash = await versionServed();
    const t0 = Date.now();
    await writeArtifactSet(put, s3.bucket, TENANT, 'home', 'v5', { i: 9 });
    await waitUntil(
      async () => (await versionServed()) === 'v5',
      60_000,
      'serving to take v5 after the retried publish',
      200,
    );
    const recoverySeconds = (Date.now() - t0) / 1000;
    const stats = summarize((await run.stop()).samples);
    results.publisherCrashBeforePointer = {
      requests: stats.total,
      byStatus: stats.byStatus,
      servedAfterCrash,
      recoverySeconds,
    };
    expect(servedAfterCrash).toBe('v4');
    expect(stats.total - stats.ok).toBe(0);
  });
});

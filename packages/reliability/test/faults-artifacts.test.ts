/**
 * Slow fault tests (`pnpm test:faults`): serving in artifact mode reading manifests from S3 (s3rver from
 * @recsys/testing, reached through a TCP proxy that the test takes down and brings back), in the publisher's
 * registry layout; the last test runs the real publisher in scheduled mode and SIGKILLs it at the request
 * that would move the pointer. Figures are printed and written to
 * packages/reliability/results/faults-artifacts.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3, type TestS3 } from '@recsys/testing';
import { isListening } from '@recsys/devstack/stack';
import {
  createTenantWithKey,
  currentManifestKey,
  http,
  readyz,
  sleep,
  startFaultStack,
  startHttpProxy,
  startLoad,
  startTcpProxy,
  summarize,
  waitUntil,
  writeArtifactSet,
  type FaultStack,
  type HttpProxy,
  type TcpProxy,
} from '../src/harness.js';

const BASE_PORT = Number(process.env.FAULTS_ARTIFACTS_BASE_PORT ?? 19010);
const PG_PORT = Number(process.env.FAULTS_ARTIFACTS_PG_PORT ?? 54342);
const TENANT = 'artco';
/** Tenant published by the real publisher in the crash test. */
const PUB_TENANT = 'pubco';
const results: Record<string, unknown> = {};

jest.setTimeout(240_000);

describe('faults (artifact mode, S3)', () => {
  let s3: TestS3;
  let proxy: TcpProxy;
  let publisherProxy: HttpProxy;
  let fs: FaultStack;
  const put = async (key: string, body: string) => {
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  };
  const get = async (key: string): Promise<string | undefined> => {
    try {
      const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      return await object.Body!.transformToString();
    } catch {
      return undefined;
    }
  };
  const headers = (tenant = TENANT) => ({ 'x-service-token': fs.serviceToken, 'x-org-id': tenant });
  const recommend = (tenant = TENANT) =>
    http('POST', `${fs.urls.serving}/v1/recommend`, {
      headers: headers(tenant),
      body: { surface: 'home', k: 5, user: { user_id: 'u1' } },
    });
  const versionServed = async (tenant = TENANT) =>
    (await recommend(tenant)).body?.meta?.signal_version as string | undefined;
  const load = (tenant = TENANT) =>
    startLoad({
      url: `${fs.urls.serving}/v1/recommend`,
      headers: headers(tenant),
      body: () => ({ surface: 'home', k: 5, user: { user_id: `u${Math.floor(Math.random() * 50)}` } }),
      concurrency: 3,
      pauseMs: 10,
    });

  beforeAll(async () => {
    s3 = await startS3();
    proxy = await startTcpProxy(Number(new URL(s3.endpoint).port));
    publisherProxy = await startHttpProxy(Number(new URL(s3.endpoint).port));
    await writeArtifactSet(put, s3.bucket, TENANT, 'home', 'v1', { a: 3, b: 2, c: 1 });
    fs = await startFaultStack({
      name: 'faultsart',
      basePort: BASE_PORT,
      pgPort: PG_PORT,
      env: {
        RECSYS_ARTIFACT_MODE_ENABLED: 'true',
        RECSYS_ARTIFACT_MANIFEST_TEMPLATE: `s3://${s3.bucket}/registry/current/{tenant}/{surface}/manifest.json`,
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
    await publisherProxy?.close();
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
    await put(currentManifestKey(TENANT, 'home'), '{"v":1,"tenant":"artco", this is not json');
    await sleep(4000);
    const afterGarbage = await versionServed();
    const readyGarbage = await readyz(fs.urls.serving);
    // A syntactically valid manifest whose artifact does not match its sha256.
    await writeArtifactSet(put, s3.bucket, TENANT, 'home', 'v3', { f: 1 });
    const v3 = JSON.parse((await get(currentManifestKey(TENANT, 'home')))!) as {
      artifacts: { popularity: { uri: string } };
    };
    const v3Key = v3.artifacts.popularity.uri.replace(`s3://${s3.bucket}/`, '');
    await put(v3Key, JSON.stringify({ tampered: true }));
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

  it('when the publisher process is killed -9 after uploading a version and before moving the pointer, then serving keeps answering 200 from the previous version and the restarted publisher publishes by itself', async () => {
    await createTenantWithKey(fs, PUB_TENANT);
    const postEvents = async (round: number) => {
      const at = new Date(Date.now() - 60_000).toISOString();
      const res = await http('POST', `${fs.urls.ingest}/v1/events/outcomes`, {
        headers: headers(PUB_TENANT),
        body: {
          events: Array.from({ length: 200 }, (_, i) => ({
            event_id: `pub-${round}-${i}`,
            type: 'purchase',
            item_id: `p${round}-${i % 20}`,
            user_id: `u${i % 40}`,
            session_id: `s${round}-${i % 40}`,
            occurred_at: at,
          })),
        },
      });
      expect(res.status).toBe(200);
    };
    await postEvents(1);
    // The stack's publisher ran unscheduled; run it in scheduled mode against S3 through the trap proxy.
    const publisherEnv = {
      PUBLISHER_MODE: 'artifact',
      PUBLISHER_STORE: `s3://${s3.bucket}`,
      PUBLISHER_S3_ENDPOINT: publisherProxy.url,
      PUBLISHER_S3_ACCESS_KEY_ID: 'S3RVER',
      PUBLISHER_S3_SECRET_ACCESS_KEY: 'S3RVER',
      PUBLISHER_INPUT: 'export',
      PUBLISHER_HOLDOUT: '0',
      PUBLISHER_KINDS: 'popularity,cooc',
      PUBLISHER_SCHEDULE_INTERVAL: '3s',
      PUBLISHER_SCHEDULE_TARGETS: `${PUB_TENANT}:home`,
    };
    await fs.kill9('publisher');
    await fs.restart('publisher', publisherEnv);
    const currentVersion = async () => {
      const text = await get(currentManifestKey(PUB_TENANT, 'home'));
      return text ? (JSON.parse(text) as { version: string; seq?: number }) : undefined;
    };
    const first = await waitUntil(
      async () => {
        const current = await currentVersion();
        return current && (await versionServed(PUB_TENANT)) === current.version ? current : undefined;
      },
      120_000,
      'the scheduled publisher to publish a version that serving serves',
      250,
    );
    // New input, so the next scheduled run builds a different version; kill the publisher at the PUT that
    // would move the pointer (current manifest.json), after its objects and staged manifest are uploaded.
    await postEvents(2);
    const run = load(PUB_TENANT);
    const pid = fs.pidOf('publisher');
    const pointerPath = `/${s3.bucket}/${currentManifestKey(PUB_TENANT, 'home')}`;
    const trapped = await Promise.race([
      publisherProxy.trap(
        (r) => r.method === 'PUT' && r.url.split('?')[0] === pointerPath,
        () => process.kill(pid, 'SIGKILL'),
      ),
      sleep(120_000).then(() => {
        throw new Error('the publisher never tried to move the pointer');
      }),
    ]);
    const killedAt = Date.now();
    await waitUntil(
      async () => !(await isListening(Number(new URL(fs.urls.publisher).port))),
      10_000,
      'the publisher to die',
    );
    const staged = publisherProxy.requests
      .map((r) =>
        new RegExp(`^/${s3.bucket}/registry/staged/${PUB_TENANT}/home/([^/?]+)/manifest\\.json`).exec(r.url),
      )
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => m[1]!);
    const crashedVersion = staged.at(-1)!;
    const before = (await currentVersion())!;
    const stagedManifest = JSON.parse(
      (await get(`registry/staged/${PUB_TENANT}/home/${crashedVersion}/manifest.json`))!,
    ) as {
      artifacts: Record<string, { uri: string }>;
    };
    const objectsUploaded = await Promise.all(
      Object.values(stagedManifest.artifacts).map(
        async (a) => (await get(a.uri.replace(`s3://${s3.bucket}/`, ''))) !== undefined,
      ),
    );
    await sleep(4000); // several manifest TTLs (1 s) with the publisher dead
    const servedAfterCrash = await versionServed(PUB_TENANT);
    const t0 = Date.now();
    await fs.restart('publisher', publisherEnv);
    const recovered = await waitUntil(
      async () => {
        const current = await currentVersion();
        return current &&
          current.version !== before.version &&
          (await versionServed(PUB_TENANT)) === current.version
          ? current
          : undefined;
      },
      120_000,
      'the restarted publisher to publish a version that serving serves',
      250,
    );
    const recoverySeconds = (Date.now() - t0) / 1000;
    const stats = summarize((await run.stop()).samples);
    results.publisherKilledBeforePointer = {
      requests: stats.total,
      byStatus: stats.byStatus,
      trapped: trapped.method + ' ' + trapped.url.split('?')[0],
      currentBefore: { version: first.version, seq: first.seq },
      currentAtCrash: { version: before.version, seq: before.seq },
      crashedVersion,
      objectsOfCrashedVersionUploaded: objectsUploaded.filter(Boolean).length,
      servedAfterCrash,
      recovered: { version: recovered.version, seq: recovered.seq },
      secondsFromKillToRestart: (t0 - killedAt) / 1000,
      recoverySeconds,
    };
    expect(crashedVersion).toBeDefined();
    expect(crashedVersion).not.toBe(before.version);
    expect(objectsUploaded.length).toBeGreaterThan(0);
    expect(objectsUploaded.every(Boolean)).toBe(true);
    expect(servedAfterCrash).toBe(before.version);
    expect(recovered.seq).toBeGreaterThan(before.seq ?? 0);
    expect(stats.total).toBeGreaterThan(0);
    expect(stats.total - stats.ok).toBe(0);
  });
});

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createTestRedis, createTestSchema, waitFor, type TestRedis, type TestSchema } from '@recsys/testing';

/** A GET on a fresh connection (`Connection: close`), so node:cluster hands each one to the next worker. */
function getOnce(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

function workerPids(primary: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe('serving with SERVING_WORKERS=2 (node:cluster)', () => {
  let schema: TestSchema;
  let redis: TestRedis;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  const port = 18000 + Math.floor(Math.random() * 1000);
  const url = `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    schema = await createTestSchema('serving_cluster');
    redis = await createTestRedis();
    child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: `${__dirname}/..`,
      env: {
        ...process.env,
        DATABASE_URL: schema.url,
        SERVING_DB_SCHEMA: schema.schema,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.prefix,
        SERVING_PORT: String(port),
        SERVING_WORKERS: '2',
        LOG_LEVEL: 'silent',
        // The primary migrates once before forking.
        MIGRATE_ON_START: 'true',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child
      .stderr!.setEncoding('utf8')
      .on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const alive = () => {
      if (child.exitCode !== null) throw new Error(`serving exited ${child.exitCode}: ${stderr}`);
    };
    // Generous: each worker compiles the service with tsx on a shared two-core machine, next to other suites.
    await waitFor(async () => (alive(), workerPids(child.pid!).length >= 2), 150_000, 200);
    await waitFor(
      async () => (alive(), (await getOnce(`${url}/readyz`).catch(() => ({ status: 0 }))).status === 200),
      150_000,
      200,
    );
  }, 320_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await redis.cleanup();
    await schema.drop();
  });

  it('when two workers serve, then /metrics on either reports the requests of both', async () => {
    const before = healthzCount((await getOnce(`${url}/metrics`)).body);
    for (let i = 0; i < 20; i++) expect((await getOnce(`${url}/healthz`)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      // Scrapes land on different workers; each reports the cluster-wide sum.
      expect(healthzCount((await getOnce(`${url}/metrics`)).body) - before).toBe(20);
    }
  }, 60_000);

  it('when a worker is killed, then the primary starts a new one and requests keep succeeding', async () => {
    const [victim, other] = workerPids(child.pid!);
    expect(other).toBeDefined();
    process.kill(victim!, 'SIGKILL');
    // The survivor answers while the victim is replaced (a connection handed to the victim as it died can fail).
    await waitFor(
      async () => (await getOnce(`${url}/healthz`).catch(() => ({ status: 0 }))).status === 200,
      10_000,
    );
    await waitFor(
      () => {
        const pids = workerPids(child.pid!);
        return pids.length === 2 && !pids.includes(victim!);
      },
      60_000,
      200,
    );
    await waitFor(async () => (await getOnce(`${url}/readyz`)).status === 200, 60_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (let i = 0; i < 10; i++) expect((await getOnce(`${url}/healthz`)).status).toBe(200);
  }, 120_000);

  it('when the primary gets SIGTERM, then every worker drains and the primary exits 0', async () => {
    const pids = workerPids(child.pid!);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});

function healthzCount(metrics: string): number {
  let total = 0;
  for (const m of metrics.matchAll(/^http_requests_total\{([^}]*)\} (\d+)$/gm)) {
    if (m[1]!.includes('route="/healthz"')) total += Number(m[2]);
  }
  return total;
}

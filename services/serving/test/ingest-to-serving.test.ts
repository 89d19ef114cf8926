import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createTestRedis, createTestSchema, waitFor, type TestRedis, type TestSchema } from '@recsys/testing';
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
import { freePort } from './tcp-proxy.js';

const T = 'live';
const SALT = 'shared-salt-of-ingest-and-serving';

/**
 * The real ingest service (spawned from its own package, default settings) in front of serving: a purchase
 * posted to ingest travels through ingest's outbox and `recsys.events.v1` to serving's user state.
 */
describe('a purchase posted to ingest', () => {
  let admin: AdminStub;
  let redis: TestRedis;
  let ingestSchema: TestSchema;
  let ingest: ChildProcess;
  let ingestUrl: string;
  let serving: Serving;
  const rec = (user: string) =>
    post(`${serving.url}/v1/recommend`, { surface: 'home', k: 3, user: { user_id: user } }, devHeaders(T));

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    redis = await createTestRedis();
    ingestSchema = await createTestSchema('ingest');
    const port = await freePort();
    ingestUrl = `http://127.0.0.1:${port}`;
    ingest = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: join(__dirname, '../../ingest'),
      env: {
        ...process.env,
        DATABASE_URL: ingestSchema.url,
        INGEST_DB_SCHEMA: ingestSchema.schema,
        MIGRATE_ON_START: 'true',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.prefix,
        SERVICE_TOKEN,
        ADMIN_URL: admin.url,
        DEV_AUTH_ENABLED: 'true',
        EXPOSURE_HASH_SALT: SALT,
        INGEST_PORT: String(port),
        INGEST_HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    serving = await startServing({ ADMIN_URL: admin.url, EXPOSURE_HASH_SALT: SALT }, { redis });
    // p is unpopular; c is its co-visitation / item-to-item neighbour.
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v1', {
      popularity: { a: 100, b: 90, c: 1, p: 1 },
      cooc: { p: { c: 10 } },
      i2i: { p: { c: 1 } },
    });
    // Generous: the child compiles ingest with tsx on a shared two-core machine.
    await waitFor(async () => (await fetch(`${ingestUrl}/readyz`)).ok, 60_000, 200);
  }, 90_000);

  afterAll(async () => {
    await serving?.close();
    if (ingest && ingest.exitCode === null) {
      const exited = new Promise((resolve) => ingest.once('exit', resolve));
      ingest.kill('SIGTERM');
      await exited;
    }
    await ingestSchema?.drop();
    await redis?.cleanup();
    await admin?.close();
  });

  it('when ingest accepts a purchase, then that user’s next recommendation changes within 2 seconds; other users are unaffected', async () => {
    const before = await rec('buyer');
    expect(ids(before.body)).toEqual(['a', 'b', 'c']);

    const accepted = await post(
      `${ingestUrl}/v1/events/outcomes`,
      {
        events: [{ type: 'purchase', item_id: 'p', user_id: 'buyer', occurred_at: new Date().toISOString() }],
      },
      devHeaders(T, ['viewer']),
    );
    const acceptedAt = Date.now();
    expect(accepted.status).toBe(200);
    expect(accepted.body.accepted).toBe(1);

    // The bought item and its neighbour now lead; before, the popular a did. waitFor throws after 2 s.
    const personal = (list: string[]) => list[0] !== 'a' && list.slice(0, 2).includes('c');
    const after = (await waitFor(
      async () => {
        const res = await rec('buyer');
        return personal(ids(res.body)) ? res : undefined;
      },
      2000,
      25,
    ))!;
    const elapsed = Date.now() - acceptedAt;
    expect(elapsed).toBeLessThan(2000);
    expect(ids(after.body)).not.toEqual(ids(before.body));
    expect(ids((await rec('someone-else')).body)).toEqual(['a', 'b', 'c']);
  });
});

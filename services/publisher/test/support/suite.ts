/**
 * The real admin, serving and ingest services, each spawned from its own package's sources (services never
 * import each other), on ephemeral ports, each with its own Postgres schema on the test database and one shared
 * Redis key prefix, so they talk to each other exactly as deployed: serving verifies keys and reads the tenant
 * config through admin, publishes exposures on its stream, ingest consumes them and exports them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTestRedis, createTestSchema, waitFor, type TestRedis, type TestSchema } from '@recsys/testing';

export type SuiteService = 'admin' | 'serving' | 'ingest';
const SERVICES: SuiteService[] = ['admin', 'serving', 'ingest'];

export interface Suite {
  urls: Record<SuiteService, string>;
  serviceToken: string;
  redis: TestRedis;
  /** The last lines a service printed (for failure messages). */
  output: (service: SuiteService) => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startSuite(
  env: Partial<Record<SuiteService, Record<string, string>>> = {},
): Promise<Suite> {
  const redis = await createTestRedis();
  const schemas = new Map<SuiteService, TestSchema>();
  const children = new Map<SuiteService, ChildProcess>();
  const logs = new Map<SuiteService, string>();
  const serviceToken = randomBytes(24).toString('hex');
  const ports = Object.fromEntries(
    await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)),
  ) as Record<SuiteService, number>;
  const urls = Object.fromEntries(SERVICES.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as Record<
    SuiteService,
    string
  >;

  const stop = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const schema of schemas.values()) await schema.drop().catch(() => undefined);
    await redis.cleanup().catch(() => undefined);
  };

  try {
    for (const service of SERVICES) schemas.set(service, await createTestSchema(`e2e_${service}`));
    const common = {
      ...process.env,
      ENV: 'development',
      LOG_LEVEL: 'warn',
      OTEL_TRACES_EXPORTER: 'none',
      DATABASE_URL: schemas.get('admin')!.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SERVICE_TOKEN: serviceToken,
      MIGRATE_ON_START: 'true',
      ADMIN_URL: urls.admin,
    };
    const own: Record<SuiteService, Record<string, string>> = {
      admin: {
        ADMIN_DB_SCHEMA: schemas.get('admin')!.schema,
        ADMIN_PORT: String(ports.admin),
        ADMIN_HOST: '127.0.0.1',
        API_KEY_HASH_SECRET: randomBytes(24).toString('hex'),
      },
      serving: {
        SERVING_DB_SCHEMA: schemas.get('serving')!.schema,
        SERVING_PORT: String(ports.serving),
        SERVING_HOST: '127.0.0.1',
        TENANT_RATE_LIMIT_ENABLED: 'false',
      },
      ingest: {
        INGEST_DB_SCHEMA: schemas.get('ingest')!.schema,
        INGEST_PORT: String(ports.ingest),
        INGEST_HOST: '127.0.0.1',
        INGEST_CONSUMER_BLOCK: '200ms',
      },
    };
    for (const service of SERVICES) {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
        cwd: join(__dirname, '..', '..', '..', service),
        env: { ...common, ...own[service], ...env[service] },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const append = (chunk: Buffer) => logs.set(service, ((logs.get(service) ?? '') + chunk).slice(-4000));
      child.stdout!.on('data', append);
      child.stderr!.on('data', append);
      children.set(service, child);
    }
    for (const service of SERVICES) {
      const child = children.get(service)!;
      const state = await waitFor(
        async () =>
          child.exitCode !== null
            ? 'exited'
            : (await fetch(`${urls[service]}/readyz`).catch(() => null))?.status === 200 && 'ready',
        120_000,
        200,
      ).catch((error: Error) => error.message);
      if (state !== 'ready') {
        throw new Error(`${service} did not become ready (${state}):\n${logs.get(service) ?? ''}`);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, serviceToken, redis, output: (service) => logs.get(service) ?? '', stop };
}

import {
  isClusterWorker,
  leaveInterruptToPrimary,
  resolveWorkers,
  runPrimary,
} from '@recsys/platform/cluster';
import { ConfigError, redactConfig } from '@recsys/platform/config';
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import { drainAndClose, listen, onShutdownSignal } from '@recsys/platform/lifecycle';
import { createLogger } from '@recsys/platform/logger';
import { stopTelemetry } from '@recsys/platform/telemetry';
import { createApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { migrations } from './db/migrations/index.js';
import { createDeps } from './deps.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const workers = resolveWorkers(config.SERVING_WORKERS);
if (workers > 1 && !isClusterWorker()) await runClusterPrimary(config, workers);
else await runServer(config);

/** SERVING_WORKERS > 1: migrate once, then fork the workers (each runs runServer) and supervise them. */
async function runClusterPrimary(config: Config, workers: number): Promise<never> {
  const logger = createLogger('serving', config.LOG_LEVEL).child({ role: 'primary' });
  logger.info({ config: redactConfig(config) }, 'starting serving cluster');
  if (config.MIGRATE_ON_START) {
    const db = createDb(
      createPool({ connectionString: config.DATABASE_URL, schema: config.SERVING_DB_SCHEMA }),
    );
    try {
      await migrateToLatest(db, config.SERVING_DB_SCHEMA, migrations, logger);
    } finally {
      await db.destroy();
    }
  }
  await runPrimary({
    workers,
    slotEnv: 'SERVING_WORKER_SLOT',
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT,
  });
  process.exit(0);
}

async function runServer(config: Config): Promise<void> {
  const worker = isClusterWorker() ? config.SERVING_WORKER_SLOT : undefined;
  const base = createLogger('serving', config.LOG_LEVEL);
  const logger = worker ? base.child({ worker }) : base;
  if (!worker) logger.info({ config: redactConfig(config) }, 'starting serving');
  const deps = createDeps(config, logger);
  // In a cluster the primary has migrated before forking.
  if (config.MIGRATE_ON_START && !worker) {
    await migrateToLatest(deps.db, config.SERVING_DB_SCHEMA, migrations, logger);
  }

  await deps.start();

  let draining = false;
  const app = createApp(deps, { isDraining: () => draining });
  const server = await listen(app, config.SERVING_PORT, config.SERVING_HOST);
  logger.info({ port: config.SERVING_PORT }, 'serving listening');

  leaveInterruptToPrimary();
  onShutdownSignal(
    logger,
    async () => {
      draining = true;
      await drainAndClose(
        server,
        [...deps.closers, { name: 'telemetry', close: stopTelemetry }],
        logger,
        config.SHUTDOWN_TIMEOUT,
      );
    },
    undefined,
    worker ? { signals: ['SIGTERM'], secondSignalExits: false } : {},
  );
}

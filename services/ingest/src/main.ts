import { ConfigError, redactConfig } from '@recsys/platform/config';
import { migrateToLatest } from '@recsys/platform/db';
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

const logger = createLogger('ingest', config.LOG_LEVEL);
logger.info({ config: redactConfig(config) }, 'starting ingest');
const deps = createDeps(config, logger);
if (config.MIGRATE_ON_START) await migrateToLatest(deps.db, config.INGEST_DB_SCHEMA, migrations, logger);

let draining = false;
const app = createApp(deps, { isDraining: () => draining });
const server = await listen(app, config.INGEST_PORT, config.INGEST_HOST);
logger.info({ port: config.INGEST_PORT }, 'ingest listening');
deps.startWorkers();

onShutdownSignal(logger, async () => {
  draining = true;
  await drainAndClose(
    server,
    [...deps.closers, { name: 'telemetry', close: stopTelemetry }],
    logger,
    config.SHUTDOWN_TIMEOUT,
  );
});

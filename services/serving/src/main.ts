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

const logger = createLogger('serving', config.LOG_LEVEL);
logger.info({ config: redactConfig(config) }, 'starting serving');
const deps = createDeps(config, logger);
if (config.MIGRATE_ON_START) await migrateToLatest(deps.db, config.SERVING_DB_SCHEMA, migrations, logger);

await deps.start();

let draining = false;
const app = createApp(deps, { isDraining: () => draining });
const server = await listen(app, config.SERVING_PORT, config.SERVING_HOST);
logger.info({ port: config.SERVING_PORT }, 'serving listening');

onShutdownSignal(logger, async () => {
  draining = true;
  await drainAndClose(
    server,
    [...deps.closers, { name: 'telemetry', close: stopTelemetry }],
    logger,
    config.SHUTDOWN_TIMEOUT,
  );
});

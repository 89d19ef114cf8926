import { AuthConfigError } from '@recsys/platform/auth';
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

const logger = createLogger('admin', config.LOG_LEVEL);
logger.info({ config: redactConfig(config) }, 'starting admin');
let deps: ReturnType<typeof createDeps>;
try {
  deps = createDeps(config, logger);
} catch (error) {
  if (error instanceof AuthConfigError) {
    logger.fatal({ err: error }, 'refusing to start: unsafe auth settings');
    process.exit(1);
  }
  throw error;
}
if (config.MIGRATE_ON_START) await migrateToLatest(deps.db, config.ADMIN_DB_SCHEMA, migrations, logger);

let draining = false;
const app = createApp(deps, { isDraining: () => draining });
const server = await listen(app, config.ADMIN_PORT, config.ADMIN_HOST);
logger.info({ port: config.ADMIN_PORT }, 'admin listening');

onShutdownSignal(logger, async () => {
  draining = true;
  await drainAndClose(
    server,
    [...deps.closers, { name: 'telemetry', close: stopTelemetry }],
    logger,
    config.SHUTDOWN_TIMEOUT,
  );
});

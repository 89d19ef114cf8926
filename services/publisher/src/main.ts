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

const logger = createLogger('publisher', config.LOG_LEVEL);
logger.info({ config: redactConfig(config) }, 'starting publisher');
const deps = createDeps(config, logger);
if (config.MIGRATE_ON_START) await migrateToLatest(deps.db, config.PUBLISHER_DB_SCHEMA, migrations, logger);

let draining = false;
const app = createApp(deps, { isDraining: () => draining });
const server = await listen(app, config.PUBLISHER_PORT, config.PUBLISHER_HOST);
logger.info({ port: config.PUBLISHER_PORT }, 'publisher listening');

// The scheduler (and the pipeline code behind it) is loaded only when scheduling is configured.
let scheduler: { stop: () => Promise<void> } | undefined;
if (config.PUBLISHER_SCHEDULE_INTERVAL > 0 && config.PUBLISHER_SCHEDULE_TARGETS.length) {
  const { parseTargets, Scheduler } = await import('./scheduler.js');
  const s = new Scheduler(
    deps,
    parseTargets(config.PUBLISHER_SCHEDULE_TARGETS),
    config.PUBLISHER_SCHEDULE_INTERVAL,
  );
  s.start();
  scheduler = s;
  logger.info(
    { targets: config.PUBLISHER_SCHEDULE_TARGETS, interval_ms: config.PUBLISHER_SCHEDULE_INTERVAL },
    'scheduler started',
  );
}

onShutdownSignal(logger, async () => {
  draining = true;
  await drainAndClose(
    server,
    [
      { name: 'scheduler', close: () => scheduler?.stop() },
      ...deps.closers,
      { name: 'telemetry', close: stopTelemetry },
    ],
    logger,
    config.SHUTDOWN_TIMEOUT,
  );
});

// `migrate` job: applies publisher's pending migrations and exits. Run before rolling out a new version.
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import { createLogger } from '@recsys/platform/logger';
import { loadConfig } from './config.js';
import { migrations } from './db/migrations/index.js';

const config = loadConfig();
const logger = createLogger('publisher', config.LOG_LEVEL);
const db = createDb(
  createPool({ connectionString: config.DATABASE_URL, schema: config.PUBLISHER_DB_SCHEMA, max: 1 }),
);
try {
  await migrateToLatest(db, config.PUBLISHER_DB_SCHEMA, migrations, logger);
  logger.info({ schema: config.PUBLISHER_DB_SCHEMA }, 'migrations applied');
} finally {
  await db.destroy();
}

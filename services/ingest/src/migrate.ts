// `migrate` job: applies ingest's pending migrations and exits. Run before rolling out a new version.
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import { createLogger } from '@recsys/platform/logger';
import { loadConfig } from './config.js';
import { migrations } from './db/migrations/index.js';

const config = loadConfig();
const logger = createLogger('ingest', config.LOG_LEVEL);
const db = createDb(
  createPool({ connectionString: config.DATABASE_URL, schema: config.INGEST_DB_SCHEMA, max: 1 }),
);
try {
  await migrateToLatest(db, config.INGEST_DB_SCHEMA, migrations, logger);
  logger.info({ schema: config.INGEST_DB_SCHEMA }, 'migrations applied');
} finally {
  await db.destroy();
}

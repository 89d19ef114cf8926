#!/usr/bin/env node
// `recsys-admin`: one-off administrative commands run next to the database (e.g. in the migrate job's image).
import { migrateToLatest } from '@recsys/platform/db';
import { createLogger } from '@recsys/platform/logger';
import { ADMIN_CLI_USAGE, runAdminCommand } from './cli/bootstrap-command.js';
import { loadConfig } from './config.js';
import { migrations } from './db/migrations/index.js';
import { createDeps } from './deps.js';

const argv = process.argv.slice(2);
if (argv[0] !== 'bootstrap') {
  console.log(ADMIN_CLI_USAGE);
  process.exit(argv.length === 0 || argv[0] === '--help' ? 0 : 64);
}
const config = loadConfig();
const logger = createLogger('admin', config.LOG_LEVEL);
const deps = createDeps(config, logger);
let code = 1;
try {
  // Control events are published by bootstrap: wait (briefly) for Redis, which fails commands while connecting.
  if (deps.redis.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      deps.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  await migrateToLatest(deps.db, config.ADMIN_DB_SCHEMA, migrations);
  code = await runAdminCommand(argv, deps, (line) => console.log(line));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
} finally {
  for (const closer of deps.closers) await closer.close();
}
process.exit(code);

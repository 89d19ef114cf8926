// Commands of `recsys-ingest`: operator commands run against ingest's database with the service's env.
//   migrate                                   apply pending migrations
//   retention                                 drop day partitions older than INGEST_RETENTION_DAYS
//   export --tenant T --from F --to T2 [--types a,b] [--out file.jsonl]
//                                             write the export of [from, to) as JSONL (stdout without --out)
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { ExportQuery } from '@recsys/contracts-ingest';
import { ConfigError } from '@recsys/platform/config';
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import { createLogger } from '@recsys/platform/logger';
import { loadConfig } from '../config.js';
import { migrations } from '../db/migrations/index.js';
import { PartitionManager } from '../db/partitions.js';
import type { IngestDatabase } from '../db/schema.js';
import { runExport } from '../domain/export.js';
import { applyRetention } from '../domain/retention.js';

const USAGE = `usage: recsys-ingest <migrate | retention | export --tenant T --from RFC3339 --to RFC3339 [--types kinds] [--out file.jsonl]>`;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: (line: string) => void;
}

/** Runs one command; returns the exit code (2 = usage error). */
export async function runCli(
  argv: string[],
  env?: Record<string, string | undefined>,
  io: CliIo = { stdout: process.stdout, stderr: (line) => console.error(line) },
): Promise<number> {
  try {
    return await run(argv, env, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(error.message);
      if (error instanceof UsageError) io.stderr(USAGE);
      return 2;
    }
    io.stderr(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

async function run(
  argv: string[],
  env: Record<string, string | undefined> | undefined,
  io: CliIo,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    io.stderr(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig(env);
  const logger = createLogger('ingest', config.LOG_LEVEL);
  const db = createDb<IngestDatabase>(
    createPool({ connectionString: config.DATABASE_URL, schema: config.INGEST_DB_SCHEMA, max: 2 }),
  );
  try {
    switch (command) {
      case 'migrate':
        await migrateToLatest(db, config.INGEST_DB_SCHEMA, migrations, logger);
        io.stderr(`migrations applied to schema ${config.INGEST_DB_SCHEMA}`);
        return 0;
      case 'retention': {
        const { cutoff, dropped } = await applyRetention(
          new PartitionManager(db, config.INGEST_DB_SCHEMA),
          config.INGEST_RETENTION_DAYS,
        );
        io.stdout.write(
          JSON.stringify({ retention_days: config.INGEST_RETENTION_DAYS, cutoff, dropped }) + '\n',
        );
        return 0;
      }
      case 'export': {
        const { values } = parseArgs({
          args: rest,
          options: {
            tenant: { type: 'string' },
            from: { type: 'string' },
            to: { type: 'string' },
            types: { type: 'string' },
            out: { type: 'string' },
            cursor: { type: 'string' },
          },
          strict: true,
        });
        if (!values.tenant) throw new UsageError('--tenant is required');
        const query = ExportQuery.safeParse({
          from: values.from,
          to: values.to,
          ...(values.types ? { types: values.types } : {}),
          ...(values.cursor ? { cursor: values.cursor } : {}),
        });
        if (!query.success) {
          throw new UsageError(
            query.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '),
          );
        }
        const out = values.out ? createWriteStream(values.out) : io.stdout;
        const count = await runExport(
          db,
          {
            tenantId: values.tenant,
            from: query.data.from,
            to: query.data.to,
            types: query.data.types,
            cursor: query.data.cursor,
          },
          async (lines) => {
            if (!out.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n')) await once(out, 'drain');
          },
        );
        if (values.out) {
          (out as ReturnType<typeof createWriteStream>).end();
          await once(out, 'finish');
        }
        io.stderr(`exported ${count} events${values.out ? ` to ${values.out}` : ''}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await db.destroy();
  }
}

export class UsageError extends Error {}

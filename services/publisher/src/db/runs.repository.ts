import { sql, type Kysely } from 'kysely';
import type { PublisherDatabase } from './schema.js';

type Db = Kysely<PublisherDatabase>;

export async function startRun(
  db: Db,
  run: { tenant: string; surface: string; segment: string; command: string; params: unknown },
): Promise<string> {
  const row = await db
    .insertInto('pipeline_runs')
    .values({
      tenant_id: run.tenant,
      surface: run.surface,
      segment: run.segment,
      command: run.command,
      status: 'running',
      params: JSON.stringify(run.params),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

export async function finishRun(
  db: Db,
  id: string,
  outcome: {
    status: 'succeeded' | 'failed' | 'refused';
    exitCode: number;
    version?: string | null;
    result?: unknown;
  },
): Promise<void> {
  await db
    .updateTable('pipeline_runs')
    .set({
      status: outcome.status,
      exit_code: outcome.exitCode,
      version: outcome.version ?? null,
      result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
      finished_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function lastRuns(db: Db, tenant: string, surface: string, limit = 10) {
  return db
    .selectFrom('pipeline_runs')
    .select(['id', 'command', 'status', 'version', 'exit_code', 'started_at', 'finished_at'])
    .where('tenant_id', '=', tenant)
    .where('surface', '=', surface)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export interface CheckpointKey {
  tenant: string;
  surface: string;
  segment: string;
  job: string;
}

export async function getCheckpoint(db: Db, key: CheckpointKey): Promise<string | null> {
  const row = await db
    .selectFrom('backfill_checkpoints')
    .select(sql<string>`to_char(last_day, 'YYYY-MM-DD')`.as('day'))
    .where('tenant_id', '=', key.tenant)
    .where('surface', '=', key.surface)
    .where('segment', '=', key.segment)
    .where('job', '=', key.job)
    .executeTakeFirst();
  return row?.day ?? null;
}

export async function setCheckpoint(
  db: Db,
  key: CheckpointKey,
  day: string,
  version: string | null,
): Promise<void> {
  await db
    .insertInto('backfill_checkpoints')
    .values({
      tenant_id: key.tenant,
      surface: key.surface,
      segment: key.segment,
      job: key.job,
      last_day: day,
      last_version: version,
    })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'surface', 'segment', 'job'])
        .doUpdateSet({ last_day: day, last_version: version, updated_at: new Date() }),
    )
    .execute();
}

/**
 * Runs `fn` holding a session-level Postgres advisory lock on `name` (one connection pinned for the
 * duration), so two publishers never move the same pointer at once.
 */
export async function withAdvisoryLock<T>(db: Db, name: string, fn: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${name}))`.execute(conn);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(conn);
    }
  });
}

import { sql, type Kysely } from 'kysely';

/** Tables range-partitioned by `occurred_day`, one partition per UTC day. */
export const PARTITIONED_TABLES = ['exposures', 'outcomes', 'assignments', 'catalog_events'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function partitionName(table: PartitionedTable, day: string): string {
  if (!DAY.test(day)) throw new Error(`invalid day "${day}"`);
  return `${table}_p${day.replaceAll('-', '')}`;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Creates day partitions on demand. Safe under concurrency (several requests, several ingest processes):
 * creation is serialised by a transaction-scoped advisory lock per (schema, table, day) and uses
 * `create table if not exists`. Partitions known to exist are remembered, so the common path costs nothing.
 */
export class PartitionManager {
  private readonly known = new Set<string>();

  constructor(
    private readonly db: Kysely<any>,
    private readonly schema: string,
  ) {}

  async ensure(table: PartitionedTable, days: Iterable<string>): Promise<void> {
    for (const day of new Set(days)) {
      const name = partitionName(table, day);
      if (this.known.has(name)) continue;
      await this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(${`${this.schema}.${name}`}))`.execute(trx);
        await sql`create table if not exists ${sql.id(this.schema, name)} partition of ${sql.id(this.schema, table)}
          for values from (${sql.lit(day)}) to (${sql.lit(nextDay(day))})`.execute(trx);
      });
      this.known.add(name);
    }
  }

  /** Forget what is known (after retention dropped partitions, or an insert found one missing). */
  forget(): void {
    this.known.clear();
  }

  /** Existing day partitions of a table, oldest first. */
  async list(table: PartitionedTable): Promise<{ name: string; day: string }[]> {
    const rows = await sql<{ name: string }>`
      select c.relname as name
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent
        join pg_namespace n on n.oid = p.relnamespace
       where n.nspname = ${this.schema} and p.relname = ${table}
       order by c.relname`.execute(this.db);
    const prefix = `${table}_p`;
    return rows.rows
      .filter((r) => r.name.startsWith(prefix) && /^\d{8}$/.test(r.name.slice(prefix.length)))
      .map((r) => {
        const d = r.name.slice(prefix.length);
        return { name: r.name, day: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` };
      });
  }

  /** Drops every partition whose day is before `cutoffDay`; returns the dropped names. */
  async dropBefore(cutoffDay: string): Promise<string[]> {
    const dropped: string[] = [];
    for (const table of PARTITIONED_TABLES) {
      for (const partition of await this.list(table)) {
        if (partition.day >= cutoffDay) continue;
        await this.db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtext(${`${this.schema}.${partition.name}`}))`.execute(
            trx,
          );
          await sql`drop table if exists ${sql.id(this.schema, partition.name)}`.execute(trx);
        });
        this.known.delete(partition.name);
        dropped.push(partition.name);
      }
    }
    return dropped;
  }
}

/** Postgres error raised when a row has no partition (dropped by retention meanwhile). */
export function isMissingPartition(error: unknown): boolean {
  return (
    (error as { code?: string })?.code === '23514' && /no partition/i.test(String((error as Error).message))
  );
}

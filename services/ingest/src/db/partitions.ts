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
 * creation is serialised by a transaction-scoped advisory lock per (schema, table, day), and a partition that
 * is already attached is left alone. Partitions known to exist are remembered, so the common path costs
 * nothing.
 *
 * A partition is created as a table shaped like the parent (`like … including all`: columns, collations,
 * defaults, checks, indexes) and then attached. Attaching needs only a SHARE UPDATE EXCLUSIVE lock on the
 * parent, so it does not wait for transactions writing to the parent (`create table … partition of` would,
 * and would hold up every writer that comes after it), so one bulk chunk's partitions are created while the
 * chunk before it is being written.
 */
export class PartitionManager {
  private readonly known = new Set<string>();
  /** Creations in progress by partition name. */
  private readonly creating = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Kysely<any>,
    private readonly schema: string,
  ) {}

  /** Makes sure a partition exists for every day; resolves when they all do. */
  async ensure(table: PartitionedTable, days: Iterable<string>): Promise<void> {
    const wanted = this.unknown(table, days);
    if (!wanted.length) return;
    // Wait for creations already under way; one that failed is retried here, and this call reports it.
    await Promise.all(wanted.map((p) => this.creating.get(p.name)?.catch(() => undefined)));
    const missing = wanted.filter((p) => !this.known.has(p.name));
    if (missing.length) await this.create(table, missing);
  }

  private unknown(table: PartitionedTable, days: Iterable<string>): { day: string; name: string }[] {
    const out: { day: string; name: string }[] = [];
    for (const day of new Set(days)) {
      const name = partitionName(table, day);
      if (!this.known.has(name)) out.push({ day, name });
    }
    // Advisory locks are taken in name order, so two creators of overlapping sets cannot deadlock.
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Creates `missing` in one transaction: takes their locks, leaves out those already attached (by another
   * process), then sends the DDL for the rest in one round trip.
   */
  private create(table: PartitionedTable, missing: { day: string; name: string }[]): Promise<void> {
    const parent = sql.id(this.schema, table);
    const job = this.db.transaction().execute(async (trx) => {
      const keys = missing.map((p) => `${this.schema}.${p.name}`);
      await sql`select pg_advisory_xact_lock(hashtext(k))
        from unnest(${keys}::text[]) with ordinality as t(k, i) order by i`.execute(trx);
      const attached = new Set(
        (
          await sql<{ name: string }>`
            select c.relname as name
              from pg_inherits i
              join pg_class c on c.oid = i.inhrelid
              join pg_class p on p.oid = i.inhparent
              join pg_namespace n on n.oid = p.relnamespace
             where n.nspname = ${this.schema} and p.relname = ${table}
               and c.relname = any(${missing.map((p) => p.name)}::text[])`.execute(trx)
        ).rows.map((r) => r.name),
      );
      const todo = missing.filter((p) => !attached.has(p.name));
      if (!todo.length) return;
      await sql
        .join(
          todo.map(({ day, name }) => {
            const child = sql.id(this.schema, name);
            return sql`create table if not exists ${child} (like ${parent} including all);
              alter table ${parent} attach partition ${child}
                for values from (${sql.lit(day)}) to (${sql.lit(nextDay(day))})`;
          }),
          sql`; `,
        )
        .execute(trx);
    });
    const settle = (ok: boolean) => {
      for (const { name } of missing) {
        if (ok) this.known.add(name);
        if (this.creating.get(name) === done) this.creating.delete(name);
      }
    };
    const done = job.then(
      () => settle(true),
      (error: unknown) => {
        settle(false);
        throw error;
      },
    );
    for (const { name } of missing) this.creating.set(name, done);
    return done;
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

import type { ColumnType, Generated } from 'kysely';

/** Row types of publisher's own schema; kept in step with src/db/migrations. */
export interface PipelineRunsTable {
  id: Generated<string>;
  tenant_id: string;
  surface: string;
  segment: string;
  command: string;
  status: 'running' | 'succeeded' | 'failed' | 'refused';
  params: ColumnType<unknown, string, string>;
  started_at: ColumnType<Date, never, never>;
  finished_at: Date | null;
  version: string | null;
  exit_code: number | null;
  result: ColumnType<unknown, string | null, string | null>;
}

export interface BackfillCheckpointsTable {
  tenant_id: string;
  surface: string;
  segment: string;
  job: string;
  /** A `date` column; read back as 'YYYY-MM-DD' (see runs.repository.ts). */
  last_day: ColumnType<string, string, string>;
  last_version: string | null;
  updated_at: ColumnType<Date, never, Date>;
}

export interface PublisherDatabase {
  pipeline_runs: PipelineRunsTable;
  backfill_checkpoints: BackfillCheckpointsTable;
}

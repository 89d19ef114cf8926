import type { Migration } from 'kysely/migration';
import * as runs from './2026-11-23T000000_pipeline_runs.js';
import * as checkpoints from './2026-11-23T000100_backfill_checkpoints.js';

/** Every migration of publisher's schema, by sortable name. Frozen once shipped: add, never edit. */
export const migrations: Record<string, Migration> = {
  '2026-11-23T000000_pipeline_runs': runs,
  '2026-11-23T000100_backfill_checkpoints': checkpoints,
};

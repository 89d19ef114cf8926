import type { Migration } from 'kysely/migration';
import * as signalVersions from './2026-11-23T000000_signal_versions.js';

/** Every migration of serving's schema, by sortable name. Frozen once shipped: add, never edit. */
export const migrations: Record<string, Migration> = {
  '2026-11-23T000000_signal_versions': signalVersions,
};

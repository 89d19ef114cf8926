import type { Migration } from 'kysely/migration';
import * as events from './2026-11-23T000000_events.js';

/** Every migration of ingest's schema, by sortable name. Frozen once shipped: add, never edit. */
export const migrations: Record<string, Migration> = {
  '2026-11-23T000000_events': events,
};

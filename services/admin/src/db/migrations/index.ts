import type { Migration } from 'kysely/migration';
import * as controlPlane from './2026-11-23T000000_control_plane.js';

/** Every migration of admin's schema, by sortable name. Frozen once shipped: add, never edit. */
export const migrations: Record<string, Migration> = {
  '2026-11-23T000000_control_plane': controlPlane,
};

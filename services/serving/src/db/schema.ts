import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Row types of serving's own schema; kept in step with src/db/migrations. */
export type SignalStatus = 'staged' | 'live' | 'retired';

export interface SignalVersionsTable {
  id: Generated<string>;
  tenant_id: string;
  surface: string;
  segment: string;
  version: string;
  status: SignalStatus;
  manifest: JSONColumnType<Record<string, unknown>>;
  counts: JSONColumnType<Record<string, number>>;
  /** sha256 over the artifacts' hashes: tells an idempotent re-upload from a conflicting one. */
  content_hash: string;
  created_at: ColumnType<Date, never, never>;
  activated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  retired_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface SignalArtifactsTable {
  version_id: string;
  kind: string;
  /** The artifact document as validated JSON text. */
  body: string;
  sha256: string;
  bytes: number;
}

export interface ServingDatabase {
  signal_versions: SignalVersionsTable;
  signal_artifacts: SignalArtifactsTable;
}

import type { ColumnType, Generated } from 'kysely';

/** Row types of ingest's own schema; kept in step with src/db/migrations. */
type Timestamptz = ColumnType<Date, string | Date, string | Date>;
type DateColumn = ColumnType<string, string, string>;

interface SubjectColumns {
  user_id: string | null;
  anonymous_id: string | null;
  session_id: string | null;
}

export interface ExposuresTable extends SubjectColumns {
  tenant_id: string;
  event_id: string;
  occurred_day: DateColumn;
  occurred_at: Timestamptz;
  request_id: string;
  surface: string;
  segment: string;
  endpoint: string;
  algo_version: string;
  config_version: string | null;
  rules_version: string | null;
  signal_version: string | null;
  experiment_id: string | null;
  experiment_variant: string | null;
  items: unknown;
  context: unknown;
  source: string;
  ingested_at: Generated<Date>;
}

export interface OutcomesTable extends SubjectColumns {
  tenant_id: string;
  event_id: string;
  occurred_day: DateColumn;
  occurred_at: Timestamptz;
  type: string;
  item_id: string;
  request_id: string | null;
  surface: string | null;
  value: number | null;
  quantity: number | null;
  ingested_at: Generated<Date>;
}

export interface AssignmentsTable extends SubjectColumns {
  tenant_id: string;
  event_id: string;
  occurred_day: DateColumn;
  occurred_at: Timestamptz;
  experiment_id: string;
  variant: string;
  request_id: string | null;
  ingested_at: Generated<Date>;
}

export interface CatalogEventsTable {
  tenant_id: string;
  event_id: string;
  occurred_day: DateColumn;
  occurred_at: Timestamptz;
  kind: 'catalog.upsert' | 'catalog.delete';
  item_id: string;
  item: unknown;
  ingested_at: Generated<Date>;
}

export interface CatalogItemsTable {
  tenant_id: string;
  item_id: string;
  title: string | null;
  tags: unknown;
  price: number | null;
  available: boolean;
  created_at: Timestamptz | null;
  deleted: Generated<boolean>;
  occurred_at: Timestamptz;
  event_id: string;
  updated_at: Generated<Date>;
}

export interface OutboxTable {
  id: Generated<string>;
  /** The events to publish, one line each (see encodeEvents); rows written before that: a JSON array. */
  events: string;
  created_at: Generated<Date>;
}

export interface ConsumerCheckpointsTable {
  consumer: string;
  last_id: string;
  updated_at: ColumnType<Date, never, Date>;
}

export interface IngestDatabase {
  exposures: ExposuresTable;
  outcomes: OutcomesTable;
  assignments: AssignmentsTable;
  catalog_events: CatalogEventsTable;
  catalog_items: CatalogItemsTable;
  outbox: OutboxTable;
  consumer_checkpoints: ConsumerCheckpointsTable;
}

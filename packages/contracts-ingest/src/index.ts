/** Wire contract of the ingest service (port 8002). */
import { opsRoutes, type z } from '@recsys/contract-kit';
import * as events from './events.js';
import { ExposureEvent, ExposureItem } from './exposure.js';
import * as http from './http.js';

export * from './events.js';
export * from './exposure.js';
export * from './http.js';

/** Stream ingest produces: accepted outcomes, assignments and catalog changes (consumed by serving, publisher). */
export const EVENTS_STREAM = 'recsys.events.v1';

/** Stream ingest consumes (serving produces), with consumer group `ingest`. */
export const EXPOSURES_STREAM = 'recsys.exposures.v1';
export const EXPOSURES_CONSUMER_GROUP = 'ingest';

export const ingestRoutes = [
  ...opsRoutes,
  http.postExposures,
  http.postOutcomes,
  http.postAssignments,
  http.bulkImport,
  http.putCatalogItem,
  http.deleteCatalogItem,
  http.exportEvents,
] as const;

/** Schemas that are not HTTP bodies but belong to the contract (stream payloads, export lines, batch items). */
export const ingestSchemas: Record<string, z.ZodType> = {
  IngestEvent: events.IngestEvent,
  ExposureEvent,
  ExposureItem,
  ExposureInput: http.ExposureInput,
  OutcomeInput: http.OutcomeInput,
  AssignmentInput: http.AssignmentInput,
  ExportLine: http.ExportLine,
  BulkLineResult: http.BulkLineResult,
  BulkSummary: http.BulkSummary,
};

/** JSON batches: validate each element on its own, store the valid ones in one transaction, report all. */
import type { BatchResponse, EventInputKind } from '@recsys/contracts-ingest';
import { AppError } from '@recsys/platform/problem';
import type { NormalizeContext } from './normalize.js';
import type { EventStore } from './store.js';
import { validateEvent } from './validate.js';

export const IntakeCodes = {
  /** A JSON batch holds more events than INGEST_MAX_BATCH_SIZE. */
  BATCH_TOO_LARGE: 'RECSYS_BATCH_TOO_LARGE',
} as const;

export interface IntakeSettings {
  salt: string | undefined;
  maxFutureSkewMs: number;
  retentionDays: number;
  maxBatchSize: number;
  now?: () => number;
}

export function normalizeContext(settings: IntakeSettings, tenantId: string): NormalizeContext {
  return {
    tenantId,
    salt: settings.salt,
    nowMs: settings.now?.() ?? Date.now(),
    maxFutureSkewMs: settings.maxFutureSkewMs,
    retentionDays: settings.retentionDays,
  };
}

export async function storeBatch(
  store: EventStore,
  settings: IntakeSettings,
  kind: EventInputKind,
  events: unknown[],
  tenantId: string,
): Promise<BatchResponse> {
  if (events.length > settings.maxBatchSize) {
    throw new AppError({
      code: IntakeCodes.BATCH_TOO_LARGE,
      status: 413,
      detail: `a batch holds at most ${settings.maxBatchSize} events (got ${events.length}); use /v1/events/bulk for more`,
    });
  }
  const ctx = normalizeContext(settings, tenantId);
  const results = await store.store(
    events.map((raw) => validateEvent(kind, raw, ctx)),
    'http',
  );
  const response: BatchResponse = { accepted: 0, duplicates: 0, rejected: 0, results: [] };
  results.forEach((result, index) => {
    if (result.status === 'accepted') response.accepted++;
    else if (result.status === 'duplicate') response.duplicates++;
    else response.rejected++;
    response.results.push({ index, ...result });
  });
  return response;
}

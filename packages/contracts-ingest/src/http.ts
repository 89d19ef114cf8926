/** HTTP request and response shapes of the ingest API (v1). */
import {
  defineRoute,
  FieldErrorSchema,
  PathSegment,
  problemResponses,
  Timestamp,
  z,
} from '@recsys/contract-kit';
import { AssignmentEvent, CatalogDeleteEvent, CatalogUpsertEvent, OutcomeEvent } from './events.js';
import { ExposureEvent } from './exposure.js';

/** Any text stored by ingest: Postgres text and jsonb hold neither NUL characters nor unpaired surrogates. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const Text = () =>
  z.string().refine((v) => !UNSTORABLE.test(v), 'must not contain NUL characters or unpaired surrogates');
const Id = Text().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
const OptionalTenant = Text()
  .min(1)
  .optional()
  .meta({ description: 'Optional; when present it must equal the tenant of the credential / X-Org-Id.' });
const EventId = Id.optional().meta({
  description:
    'Idempotency key. When absent ingest derives a deterministic sha256 of the canonical event, so a resent ' +
    'identical event is reported as `duplicate`.',
});

// ---- event inputs (one element of a batch, one line of a bulk import) --------------------------------------

export const ExposureInput = z
  .strictObject({
    v: z.literal(1).optional(),
    event_id: Id.optional().meta({ description: 'Defaults to `request_id + ":" + endpoint`.' }),
    tenant_id: OptionalTenant,
    request_id: Id,
    surface: PathSegment.default('default'),
    segment: PathSegment.default('default'),
    endpoint: z.enum(['recommend', 'similar']).default('recommend'),
    user_id: Id.optional(),
    anonymous_id: Id.optional(),
    session_id: Id.optional(),
    occurred_at: Timestamp,
    items: z
      .array(
        z.strictObject({
          item_id: Id,
          rank: z.number().int().min(1),
          score: z.number(),
          propensity: z.number().min(0).max(1).optional(),
        }),
      )
      .max(1000),
    algo_version: Text().min(1),
    config_version: Text().optional(),
    rules_version: Text().optional(),
    signal_version: Text().optional(),
    experiment: z.strictObject({ id: Id, variant: Id }).optional(),
    context: z
      .strictObject({
        locale: Text().optional(),
        device: Text().optional(),
        country: Text().optional(),
      })
      .optional(),
  })
  .meta({ id: 'ExposureInput', description: 'An exposure as posted by a client (ExposureEvent shape).' });
export type ExposureInput = z.output<typeof ExposureInput>;

export const OutcomeInput = z
  .strictObject({
    event_id: EventId,
    tenant_id: OptionalTenant,
    type: Text().min(1).max(64),
    item_id: Id,
    user_id: Id.optional(),
    anonymous_id: Id.optional(),
    session_id: Id.optional(),
    request_id: Id.optional(),
    surface: PathSegment.optional(),
    value: z.number().optional(),
    quantity: z.number().optional(),
    occurred_at: Timestamp,
  })
  .meta({ id: 'OutcomeInput' });
export type OutcomeInput = z.output<typeof OutcomeInput>;

export const AssignmentInput = z
  .strictObject({
    event_id: EventId,
    tenant_id: OptionalTenant,
    experiment_id: Id,
    variant: Id,
    user_id: Id.optional(),
    anonymous_id: Id.optional(),
    session_id: Id.optional(),
    request_id: Id.optional(),
    occurred_at: Timestamp,
  })
  .meta({ id: 'AssignmentInput' });
export type AssignmentInput = z.output<typeof AssignmentInput>;

/** Kinds a batch or a bulk line can carry. */
export const EVENT_INPUT_KINDS = ['exposure', 'outcome', 'assignment'] as const;
export type EventInputKind = (typeof EVENT_INPUT_KINDS)[number];

export const eventInputSchemas = {
  exposure: ExposureInput,
  outcome: OutcomeInput,
  assignment: AssignmentInput,
} as const;

// ---- batches -------------------------------------------------------------------------------------------------

/** Hard upper bound of a JSON batch; the deployment's limit (`INGEST_MAX_BATCH_SIZE`) may be lower. */
export const MAX_BATCH_SIZE = 10_000;
export const BATCH_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

function batchBody(kind: EventInputKind, id: string) {
  return z
    .strictObject({
      events: z
        .array(z.unknown().meta({ description: `One ${kind}; validated on its own (see ${id}).` }))
        .min(1, 'must not be empty')
        .max(MAX_BATCH_SIZE, `must hold at most ${MAX_BATCH_SIZE} events`),
    })
    .meta({
      id: `${kind[0]!.toUpperCase()}${kind.slice(1)}Batch`,
      description:
        `Each element is validated on its own against ${id}: a bad element is reported as rejected, ` +
        'the others are stored.',
    });
}
export const ExposureBatch = batchBody('exposure', 'ExposureInput');
export const OutcomeBatch = batchBody('outcome', 'OutcomeInput');
export const AssignmentBatch = batchBody('assignment', 'AssignmentInput');

export const ItemStatus = z.enum(['accepted', 'duplicate', 'rejected']);
export type ItemStatus = z.output<typeof ItemStatus>;

export const BatchItemResult = z
  .object({
    index: z.number().int().min(0),
    status: ItemStatus,
    event_id: z
      .string()
      .optional()
      .meta({ description: 'Stored (or derived) event id; absent when rejected.' }),
    code: z.string().optional().meta({ description: 'Stable rejection code, e.g. `RECSYS_EVENT_INVALID`.' }),
    reason: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .meta({ id: 'BatchItemResult' });
export type BatchItemResult = z.output<typeof BatchItemResult>;

export const BatchResponse = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    results: z.array(BatchItemResult),
  })
  .meta({ id: 'BatchResponse' });
export type BatchResponse = z.output<typeof BatchResponse>;

// ---- bulk NDJSON -----------------------------------------------------------------------------------------------

export const BulkLineResult = z
  .object({
    line: z.number().int().min(1).meta({ description: '1-based line number in the request body.' }),
    status: ItemStatus,
    event_id: z.string().optional(),
    code: z.string().optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'BulkLineResult' });
export type BulkLineResult = z.output<typeof BulkLineResult>;

export const BulkSummary = z
  .object({
    summary: z.object({
      lines: z.number().int(),
      accepted: z.number().int(),
      duplicate: z.number().int(),
      rejected: z.number().int(),
      complete: z.literal(true),
    }),
  })
  .meta({
    id: 'BulkSummary',
    description: 'Last line of a bulk response; its absence means the import was interrupted.',
  });
export type BulkSummary = z.output<typeof BulkSummary>;

export const BulkQuery = z.strictObject({
  report: z
    .enum(['all', 'errors'])
    .default('all')
    .meta({ description: '`all`: one result line per input line; `errors`: only rejected lines.' }),
});

// ---- catalog ---------------------------------------------------------------------------------------------------

export const ItemParams = z.strictObject({ item_id: Id });

export const CatalogItemBody = z
  .strictObject({
    title: Text().max(1000).optional(),
    tags: z.array(Text().min(1).max(200)).max(200).default([]),
    price: z.number().min(0).optional(),
    available: z.boolean().default(true),
    created_at: Timestamp.optional(),
    occurred_at: Timestamp.optional().meta({
      description:
        'When the change happened (default: now). Older changes than the stored state are ignored.',
    }),
  })
  .meta({ id: 'CatalogItemBody' });
export type CatalogItemBody = z.output<typeof CatalogItemBody>;

export const CatalogDeleteQuery = z.strictObject({ occurred_at: Timestamp.optional() });

export const CatalogWriteResult = z
  .object({
    item_id: z.string(),
    event_id: z.string(),
    status: z.enum(['stored', 'deleted', 'stale']).meta({
      description: '`stale`: a change with a later occurred_at is already stored; nothing changed.',
    }),
  })
  .meta({ id: 'CatalogWriteResult' });
export type CatalogWriteResult = z.output<typeof CatalogWriteResult>;

// ---- export ----------------------------------------------------------------------------------------------------

export const EXPORT_TYPES = [
  'exposure',
  'outcome',
  'assignment',
  'catalog.upsert',
  'catalog.delete',
] as const;
export type ExportType = (typeof EXPORT_TYPES)[number];

export const ExportQuery = z
  .strictObject({
    from: Timestamp.meta({ description: 'Inclusive lower bound of occurred_at.' }),
    to: Timestamp.meta({ description: 'Exclusive upper bound of occurred_at.' }),
    types: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === '') return [...EXPORT_TYPES];
        const out = new Set<ExportType>();
        for (const raw of v.split(',').map((s) => s.trim())) {
          if (raw === 'catalog') {
            out.add('catalog.upsert');
            out.add('catalog.delete');
          } else if ((EXPORT_TYPES as readonly string[]).includes(raw)) out.add(raw as ExportType);
          else {
            ctx.addIssue({
              code: 'custom',
              message: `unknown type "${raw}" (expected ${[...EXPORT_TYPES, 'catalog'].join(', ')})`,
            });
          }
        }
        return [...out];
      })
      .meta({ description: 'Comma-separated kinds (default all); `catalog` means both catalog kinds.' }),
    cursor: z
      .string()
      .optional()
      .meta({ description: '`cursor` of the last line received; resumes after it.' }),
    limit: z.coerce.number().int().min(1).max(10_000_000).optional().meta({
      description: 'At most this many lines; fewer lines than `limit` means the window is exhausted.',
    }),
  })
  .meta({ id: 'ExportQuery' });

const cursor = { cursor: z.string().meta({ description: 'Opaque resume position of this line.' }) };
export const ExportLine = z
  .discriminatedUnion('kind', [
    ExposureEvent.extend({ kind: z.literal('exposure'), ...cursor }),
    OutcomeEvent.extend(cursor),
    AssignmentEvent.extend(cursor),
    CatalogUpsertEvent.extend(cursor),
    CatalogDeleteEvent.extend(cursor),
  ])
  .meta({
    id: 'ExportLine',
    description: 'One line of the export (NDJSON), ordered by (occurred_at, event_id).',
  });
export type ExportLine = z.output<typeof ExportLine>;

// ---- routes ----------------------------------------------------------------------------------------------------

const writeSecurity = ['apiKey', 'bearer', 'serviceToken'] as const;

function batchRoute<const Id extends string, const P extends string, B extends z.ZodType>(
  operationId: Id,
  path: P,
  body: B,
  what: string,
) {
  return defineRoute({
    operationId,
    method: 'post',
    path,
    summary: `Store a batch of ${what}.`,
    description:
      'Each element is validated and stored on its own: the response lists, per index, whether it was ' +
      'accepted, a duplicate of a stored event, or rejected (with code and reason). Nothing is half-stored: ' +
      'the accepted elements are committed in one transaction before the response is sent.',
    tags: ['events'],
    security: [...writeSecurity],
    request: { body, bodyLimitBytes: BATCH_BODY_LIMIT_BYTES },
    responses: {
      200: { description: 'Per-element results.', body: BatchResponse },
      ...problemResponses(400, 401, 403, 404, 413, 415, 503),
    },
  });
}

export const postExposures = batchRoute('postExposures', '/v1/events/exposures', ExposureBatch, 'exposures');
export const postOutcomes = batchRoute('postOutcomes', '/v1/events/outcomes', OutcomeBatch, 'outcomes');
export const postAssignments = batchRoute(
  'postAssignments',
  '/v1/events/assignments',
  AssignmentBatch,
  'experiment assignments',
);

export const bulkImport = defineRoute({
  operationId: 'bulkImport',
  method: 'post',
  path: '/v1/events/bulk',
  summary: 'Import any number of events from NDJSON, streamed.',
  description:
    'One JSON object per line with a `kind` field (`exposure`, `outcome`, `assignment`) and the fields of the ' +
    'matching input. The body is read as a stream (optionally `Content-Encoding: gzip`) and stored in chunks; ' +
    'the response is NDJSON streamed back: one BulkLineResult per line (or only rejected lines with ' +
    '`report=errors`) once the line is committed, then a final BulkSummary line. A result line is written only ' +
    'after its chunk is committed, so every line reported `accepted` or `duplicate` is stored.',
  tags: ['events'],
  security: [...writeSecurity],
  request: { query: BulkQuery, bodyContentType: 'application/x-ndjson' },
  responses: {
    200: {
      description: 'NDJSON: BulkLineResult lines, then a BulkSummary line.',
      contentType: 'application/x-ndjson',
    },
    ...problemResponses(400, 401, 403, 404, 415, 503),
  },
});

export const putCatalogItem = defineRoute({
  operationId: 'putCatalogItem',
  method: 'put',
  path: '/v1/catalog/items/{item_id}',
  summary: 'Create or replace a catalog item.',
  tags: ['catalog'],
  security: [...writeSecurity],
  request: { params: ItemParams, body: CatalogItemBody },
  responses: {
    200: { description: 'Stored (or stale).', body: CatalogWriteResult },
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

export const deleteCatalogItem = defineRoute({
  operationId: 'deleteCatalogItem',
  method: 'delete',
  path: '/v1/catalog/items/{item_id}',
  summary: 'Delete a catalog item (kept as a tombstone).',
  tags: ['catalog'],
  security: [...writeSecurity],
  request: { params: ItemParams, query: CatalogDeleteQuery },
  responses: {
    200: { description: 'Deleted (or stale).', body: CatalogWriteResult },
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const exportEvents = defineRoute({
  operationId: 'exportEvents',
  method: 'get',
  path: '/v1/exports/events',
  summary: 'Stream stored events of a window [from, to) as NDJSON, resumable by cursor.',
  description:
    'Lines are ordered by (occurred_at, event_id, kind); each carries `cursor`. Pass the last cursor back to ' +
    'resume strictly after it. Exposure lines are ExposureEvent with `kind: "exposure"`; they join outcomes ' +
    'and assignments by `request_id`. User, anonymous and session ids are HMAC-hashed when the deployment ' +
    'sets EXPOSURE_HASH_SALT.',
  tags: ['exports'],
  security: ['apiKey', 'bearer', 'serviceToken'],
  request: { query: ExportQuery },
  responses: {
    200: { description: 'NDJSON of ExportLine.', contentType: 'application/x-ndjson' },
    ...problemResponses(400, 401, 403, 404, 422),
  },
});

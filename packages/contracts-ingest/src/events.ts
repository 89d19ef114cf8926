/**
 * Events ingest re-publishes on `recsys.events.v1` after storing them (consumed by serving and the publisher),
 * and the same shapes as lines of the export. The stream entry type equals `kind`.
 *
 * These are *read* schemas: consumers use `IngestEvent.parse(payload)`; unknown fields are stripped so that
 * ingest can add optional fields without breaking older consumers.
 */
import { Timestamp, z } from '@recsys/contract-kit';

/** Outcome types RecSys knows; any other non-empty string is accepted and stored as given. */
export const KNOWN_OUTCOME_TYPES = ['view', 'click', 'add_to_cart', 'purchase', 'like', 'dismiss'] as const;

const Id = z.string().min(1).max(256);

export const OutcomeEvent = z
  .object({
    kind: z.literal('outcome'),
    event_id: Id,
    tenant_id: z.string().min(1),
    type: z
      .string()
      .min(1)
      .max(64)
      .meta({ description: `Outcome type: ${KNOWN_OUTCOME_TYPES.join(', ')}, or any other string.` }),
    item_id: Id,
    user_id: Id.optional(),
    anonymous_id: Id.optional(),
    session_id: Id.optional(),
    request_id: Id.optional().meta({
      description: 'Request id of the exposure this outcome is attributed to.',
    }),
    surface: z.string().min(1).optional(),
    value: z.number().optional().meta({ description: 'Monetary value (e.g. revenue of a purchase).' }),
    quantity: z.number().optional(),
    occurred_at: Timestamp,
  })
  .meta({ id: 'OutcomeEvent' });
export type OutcomeEvent = z.output<typeof OutcomeEvent>;

export const AssignmentEvent = z
  .object({
    kind: z.literal('assignment'),
    event_id: Id,
    tenant_id: z.string().min(1),
    experiment_id: Id,
    variant: Id,
    user_id: Id.optional(),
    anonymous_id: Id.optional(),
    session_id: Id.optional(),
    request_id: Id.optional(),
    occurred_at: Timestamp,
  })
  .meta({ id: 'AssignmentEvent' });
export type AssignmentEvent = z.output<typeof AssignmentEvent>;

export const CatalogItem = z
  .object({
    item_id: Id,
    title: z.string().optional(),
    tags: z.array(z.string()),
    price: z.number().optional(),
    available: z.boolean(),
    created_at: Timestamp.optional(),
  })
  .meta({ id: 'CatalogItem' });
export type CatalogItem = z.output<typeof CatalogItem>;

export const CatalogUpsertEvent = z
  .object({
    kind: z.literal('catalog.upsert'),
    event_id: Id,
    tenant_id: z.string().min(1),
    item: CatalogItem,
    occurred_at: Timestamp,
  })
  .meta({ id: 'CatalogUpsertEvent' });
export type CatalogUpsertEvent = z.output<typeof CatalogUpsertEvent>;

export const CatalogDeleteEvent = z
  .object({
    kind: z.literal('catalog.delete'),
    event_id: Id,
    tenant_id: z.string().min(1),
    item_id: Id,
    occurred_at: Timestamp,
  })
  .meta({ id: 'CatalogDeleteEvent' });
export type CatalogDeleteEvent = z.output<typeof CatalogDeleteEvent>;

/** Payload of every entry on `recsys.events.v1`, discriminated by `kind` (= the stream entry type). */
export const IngestEvent = z
  .discriminatedUnion('kind', [OutcomeEvent, AssignmentEvent, CatalogUpsertEvent, CatalogDeleteEvent])
  .meta({ id: 'IngestEvent' });
export type IngestEvent = z.output<typeof IngestEvent>;
export type IngestEventKind = IngestEvent['kind'];
export const INGEST_EVENT_KINDS = ['outcome', 'assignment', 'catalog.upsert', 'catalog.delete'] as const;

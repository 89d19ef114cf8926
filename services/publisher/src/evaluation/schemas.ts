/**
 * Line schemas of the evaluation inputs (JSONL / NDJSON, one object per line, as exported by ingest).
 *
 * These mirror wire shapes 2 and 3 of the team brief exactly (`ExposureEvent` of `@recsys/contracts-serving`,
 * the `outcome` and `assignment` members of `IngestEvent` of `@recsys/contracts-ingest`). They are defined here
 * because the publisher does not depend on those packages yet; once it does, these should be replaced by imports.
 * Differences on purpose: `kind` is optional (plain JSONL files need not carry it) and unknown fields such as the
 * export's `cursor` are accepted and stripped.
 */
import { Timestamp, z } from '@recsys/contract-kit';

const Id = z.string().min(1).max(256);

export const EvalExposureItem = z.object({
  item_id: Id,
  rank: z.number().int().min(1),
  score: z.number(),
  propensity: z.number().min(0).max(1).optional(),
});

export const EvalExposureLine = z.object({
  kind: z.literal('exposure').optional(),
  v: z.literal(1),
  event_id: Id,
  request_id: Id,
  tenant_id: z.string().min(1),
  surface: z.string().min(1),
  segment: z.string().min(1),
  endpoint: z.enum(['recommend', 'similar']),
  user_id: Id.optional(),
  anonymous_id: Id.optional(),
  session_id: Id.optional(),
  occurred_at: Timestamp,
  items: z.array(EvalExposureItem),
  algo_version: z.string().min(1),
  config_version: z.string().optional(),
  rules_version: z.string().optional(),
  signal_version: z.string().optional(),
  experiment: z.object({ id: z.string().min(1), variant: z.string().min(1) }).optional(),
  context: z
    .object({ locale: z.string().optional(), device: z.string().optional(), country: z.string().optional() })
    .optional(),
});
export type EvalExposure = z.output<typeof EvalExposureLine>;

export const EvalOutcomeLine = z.object({
  kind: z.literal('outcome').optional(),
  event_id: Id,
  tenant_id: z.string().min(1),
  type: z.string().min(1).max(64),
  item_id: Id,
  user_id: Id.optional(),
  anonymous_id: Id.optional(),
  session_id: Id.optional(),
  request_id: Id.optional(),
  surface: z.string().min(1).optional(),
  value: z.number().optional(),
  quantity: z.number().optional(),
  occurred_at: Timestamp,
});
export type EvalOutcome = z.output<typeof EvalOutcomeLine>;

export const EvalAssignmentLine = z.object({
  kind: z.literal('assignment').optional(),
  event_id: Id,
  tenant_id: z.string().min(1),
  experiment_id: Id,
  variant: Id,
  user_id: Id.optional(),
  anonymous_id: Id.optional(),
  session_id: Id.optional(),
  request_id: Id.optional(),
  occurred_at: Timestamp,
});
export type EvalAssignment = z.output<typeof EvalAssignmentLine>;

/** One line of `ope --target-policy`: the target policy's propensity for each item it would show. */
export const TargetPolicyLine = z.object({
  request_id: Id,
  items: z.array(z.object({ item_id: Id, propensity: z.number().min(0).max(1) })),
});
export type TargetPolicy = z.output<typeof TargetPolicyLine>;

/** Optional `--catalog` lines (ingest `catalog.upsert` shape): item tags for diversity, catalog size for coverage. */
export const CatalogUpsertLine = z.object({
  kind: z.literal('catalog.upsert').optional(),
  item: z.object({ item_id: Id, tags: z.array(z.string()).default([]), available: z.boolean().optional() }),
});

/** Every `kind` an ingest export line may carry; lines of another known kind are skipped, not rejected. */
export const KNOWN_KINDS = ['exposure', 'outcome', 'assignment', 'catalog.upsert', 'catalog.delete'] as const;

/** Outcome types that make an item relevant by default (offline) and that count as click / conversion. */
export const DEFAULT_RELEVANT_TYPES = ['click', 'add_to_cart', 'purchase', 'like'] as const;
export const CLICK_TYPE = 'click';
export const CONVERSION_TYPE = 'purchase';
export const NEGATIVE_TYPE = 'dismiss';

/** Formats the first issues of a zod error as `path: message; …`. */
export function describeZodError(error: z.ZodError, max = 3): string {
  return error.issues
    .slice(0, max)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(line)'}: ${issue.message}`)
    .join('; ');
}

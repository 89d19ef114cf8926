/**
 * Wire contract of the serving service (port 8000).
 *
 * The public routes (`/v1/recommend`, `/v1/recommend/validate`, `/v1/similar`) are wire-compatible with the
 * reference serving API: strict objects (unknown fields → 400), the same limits, trimming, lower-casing and
 * de-duplication, and the same 400 / 422 split. Defaults that produce `DEFAULT_APPLIED` warnings (segment, k,
 * anchors.max_anchors, options) are left absent here and applied by the service, which knows to warn.
 *
 * Additions over the reference (all optional, so reference clients keep working): `meta.experiment`,
 * `meta.signal_version`, `meta.counts`, top-level `trace` (admin only), extra blend weights
 * (`i2i`, `content`, `session`, `history`), the internal signal bulk-load endpoints and the exposure stream.
 */
import {
  defineRoute,
  opsRoutes,
  PathSegment,
  problemResponses,
  TenantId,
  Timestamp,
  z,
} from '@recsys/contract-kit';
import { Artifact, ArtifactKind, Manifest } from '@recsys/contracts-publisher';

/** Stream serving produces: one entry per served response (consumed by ingest). */
export const EXPOSURES_STREAM = 'recsys.exposures.v1';
/** Entry type of every exposure on EXPOSURES_STREAM. */
export const EXPOSURE_ENTRY_TYPE = 'exposure';

/** Header that selects a staged (or older) signal version for a preview request. */
export const SIGNAL_VERSION_HEADER = 'X-Recsys-Signal-Version';

// ---- limits (reference §1.4) -----------------------------------------------------------------------------

export const LIMITS = {
  maxK: 200,
  defaultK: 20,
  maxAnchors: 50,
  defaultMaxAnchors: 50,
  maxIncludeIds: 5000,
  maxExcludeIds: 5000,
  maxTags: 200,
  explainMaxItems: 50,
} as const;

export const DEFAULT_SEGMENT = 'default';
export const EXPLAIN_LEVELS = ['none', 'summary', 'full'] as const;
export type ExplainLevel = (typeof EXPLAIN_LEVELS)[number];

// ---- helpers ---------------------------------------------------------------------------------------------

const unprocessable = { params: { status: 422 } } as const;

function requiredString() {
  return z.string({
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string'),
  });
}

function isSafeSegment(v: string): boolean {
  return v !== '.' && v !== '..' && !/[/\\]/.test(v) && !/\p{Cc}/u.test(v);
}

/** Surface: required, trimmed, a safe path segment (it becomes part of storage keys and manifest URIs). */
const Surface = requiredString()
  .trim()
  .min(1, 'is required')
  .max(128, 'must be at most 128 characters')
  .refine(isSafeSegment, 'contains invalid path segment')
  .meta({ description: 'Product placement; also the namespace of signal lookups.', example: 'home' });

/** Segment: optional; blank means absent (defaulted to `default` with a DEFAULT_APPLIED warning). */
const Segment = z
  .string({ error: 'must be a string' })
  .trim()
  .max(128, 'must be at most 128 characters')
  .refine(isSafeSegment, 'contains invalid path segment')
  .optional()
  .transform((v) => (v ? v : undefined))
  .meta({ description: "Cohort label; defaults to 'default'." });

const K = z
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(1, 'must be between 1 and 200')
  .max(LIMITS.maxK, 'must be between 1 and 200')
  .optional()
  .meta({ description: 'Number of items (1..200); defaults to 20.' });

function dedup(values: string[]): string[] {
  return [...new Set(values)];
}

/** Trimmed, blanks dropped, de-duplicated (order kept), then length-checked. */
function idList(max: number) {
  return z
    .array(z.string({ error: 'must be a string' }), { error: 'must be an array of strings' })
    .transform((v) => dedup(v.map((s) => s.trim()).filter(Boolean)))
    .pipe(z.array(z.string()).max(max, 'exceeds limit'));
}

/** Same as idList, lower-cased (tags). */
function tagList(max: number) {
  return z
    .array(z.string({ error: 'must be a string' }), { error: 'must be an array of strings' })
    .transform((v) => dedup(v.map((s) => s.trim().toLowerCase()).filter(Boolean)))
    .pipe(z.array(z.string()).max(max, 'exceeds limit'));
}

const trimmedOptional = z
  .string({ error: 'must be a string' })
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const NonNegative = z
  .number({ error: 'must be a number' })
  .refine((v) => Number.isFinite(v) && v >= 0, { message: 'must be non-negative', ...unprocessable })
  .optional();

/** RFC 3339 instant, re-formatted to UTC with second precision. */
const RfcNow = z
  .string({ error: 'must be RFC3339' })
  .trim()
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
    'must be RFC3339',
  )
  .transform((v) => new Date(Date.parse(v)).toISOString().replace(/\.\d{3}Z$/, 'Z'));

// ---- request parts ---------------------------------------------------------------------------------------

export const UserRef = z
  .strictObject({
    user_id: trimmedOptional,
    anonymous_id: trimmedOptional,
    session_id: trimmedOptional,
  })
  .meta({
    id: 'UserRef',
    description: 'At least one non-empty id is required (422 otherwise).',
  });

export const RequestContextSchema = z
  .strictObject({
    locale: trimmedOptional,
    device: trimmedOptional,
    country: trimmedOptional,
    now: RfcNow.optional().meta({ description: 'RFC 3339; logged only.' }),
  })
  .meta({ id: 'RecommendContext' });

export const Anchors = z
  .strictObject({
    item_ids: idList(LIMITS.maxAnchors).optional(),
    max_anchors: z.number({ error: 'must be an integer' }).int('must be an integer').optional(),
  })
  .superRefine((value, ctx) => {
    const max = value.max_anchors;
    if (max === undefined) return;
    // Reference order: the 422 comparison first, then the 400 positivity check.
    if (max < (value.item_ids?.length ?? 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_anchors'],
        message: 'must be >= number of anchor items',
        params: { status: 422 },
      });
    } else if (max <= 0) {
      ctx.addIssue({ code: 'custom', path: ['max_anchors'], message: 'must be positive' });
    }
  })
  .meta({ id: 'Anchors' });

export const Candidates = z
  .strictObject({
    include_ids: idList(LIMITS.maxIncludeIds).optional(),
    exclude_ids: idList(LIMITS.maxExcludeIds).optional(),
  })
  .meta({ id: 'Candidates' });

export const Constraints = z
  .strictObject({
    required_tags: tagList(LIMITS.maxTags).optional(),
    forbidden_tags: tagList(LIMITS.maxTags).optional(),
    max_per_tag: z
      .record(z.string(), z.number({ error: 'must be an integer' }).int('must be an integer'))
      .superRefine((map, ctx) => {
        for (const [tag, value] of Object.entries(map)) {
          if (value < 0) {
            ctx.addIssue({
              code: 'custom',
              path: [tag],
              message: 'values must be non-negative',
              params: { status: 422 },
            });
          }
        }
      })
      .transform((map) => {
        const out: Record<string, number> = {};
        for (const [tag, value] of Object.entries(map)) {
          const key = tag.trim().toLowerCase();
          if (key) out[key] = value;
        }
        return out;
      })
      .optional(),
  })
  .meta({ id: 'Constraints' });

export const Weights = z
  .strictObject({
    pop: NonNegative,
    cooc: NonNegative,
    emb: NonNegative,
    i2i: NonNegative.meta({ description: 'Learned item-to-item signal (addition over the reference).' }),
    content: NonNegative.meta({ description: 'Content similarity by tags (addition).' }),
    session: NonNegative.meta({ description: 'Session next-item signal (addition).' }),
    history: NonNegative.meta({ description: "The user's own history, 'buy again' (addition)." }),
  })
  .meta({ id: 'Weights', description: 'Per-request blend weights; negative → 422.' });

export const Options = z
  .strictObject({
    include_reasons: z.boolean({ error: 'must be a boolean' }).optional(),
    explain: z
      .string({ error: 'must be a string' })
      .transform((v) => v.trim().toLowerCase())
      .refine((v) => (EXPLAIN_LEVELS as readonly string[]).includes(v), {
        message: 'must be one of none, summary, full',
        ...unprocessable,
      })
      .optional(),
    include_trace: z.boolean({ error: 'must be a boolean' }).optional(),
    seed: z.number({ error: 'must be an integer' }).int('must be an integer').optional(),
  })
  .meta({ id: 'Options' });

export const ExperimentRef = z
  .strictObject({ id: trimmedOptional, variant: trimmedOptional })
  .transform((v) => (v.id || v.variant ? v : undefined))
  .meta({ id: 'ExperimentRef' });

function requireSubject(
  value: { user?: { user_id?: string; anonymous_id?: string; session_id?: string } },
  ctx: z.core.$RefinementCtx,
): void {
  const u = value.user;
  if (!u || !(u.user_id || u.anonymous_id || u.session_id)) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: 'user_id or anonymous_id or session_id is required',
      params: { status: 422 },
    });
  }
}

// ---- /v1/recommend ---------------------------------------------------------------------------------------

export const RecommendRequest = z
  .strictObject({
    surface: Surface,
    segment: Segment,
    k: K,
    user: UserRef.optional(),
    context: RequestContextSchema.optional(),
    anchors: Anchors.optional(),
    candidates: Candidates.optional(),
    constraints: Constraints.optional(),
    weights: Weights.optional(),
    options: Options.optional(),
    experiment: ExperimentRef.optional(),
  })
  .superRefine(requireSubject)
  .meta({ id: 'RecommendRequest' });
export type RecommendRequestInput = z.input<typeof RecommendRequest>;
export type RecommendRequestParsed = z.output<typeof RecommendRequest>;

export const Warning = z
  .object({ code: z.string(), detail: z.string() })
  .meta({ id: 'Warning', description: 'Non-fatal condition, e.g. DEFAULT_APPLIED or SIGNAL_UNAVAILABLE.' });
export type Warning = z.output<typeof Warning>;

export const ExplainBlock = z
  .object({ signals: z.record(z.string(), z.number()), rules: z.array(z.string()) })
  .meta({ id: 'ExplainBlock' });

export const RecommendItem = z
  .object({
    item_id: z.string(),
    rank: z.number().int(),
    score: z.number(),
    reasons: z.array(z.string()).optional(),
    explain: ExplainBlock.optional(),
  })
  .meta({ id: 'RecommendItem' });

export const ExperimentAssignment = z
  .object({ id: z.string(), variant: z.string() })
  .meta({ id: 'ExperimentAssignment' });

export const ResponseMeta = z
  .object({
    tenant_id: z.string(),
    surface: z.string(),
    segment: z.string(),
    algo_version: z.string(),
    config_version: z.string().optional().meta({ description: 'ETag of the tenant config in effect.' }),
    rules_version: z.string().optional().meta({ description: 'ETag of the tenant rules in effect.' }),
    request_id: z.string(),
    counts: z.object({ returned: z.number().int() }).optional(),
    signal_version: z
      .string()
      .optional()
      .meta({ description: 'Signal snapshot version that ranked this response (addition).' }),
    experiment: ExperimentAssignment.optional().meta({
      description: 'Experiment and variant this request was assigned to (addition).',
    }),
  })
  .meta({ id: 'ResponseMeta' });

export const TraceEntrySchema = z
  .object({ item_id: z.string(), outcome: z.string(), score: z.number().optional() })
  .meta({ id: 'TraceEntry' });

export const RecommendResponse = z
  .object({
    items: z.array(RecommendItem),
    meta: ResponseMeta,
    warnings: z.array(Warning).optional(),
    trace: z
      .array(TraceEntrySchema)
      .optional()
      .meta({ description: 'Why items were filtered or out-ranked (options.include_trace, admin only).' }),
  })
  .meta({ id: 'RecommendResponse' });
export type RecommendResponse = z.output<typeof RecommendResponse>;

const RecommendHeaders = z.object({
  'x-recsys-signal-version': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be a signal version')
    .optional()
    .meta({ description: 'Preview: rank with this staged or older version (service/operator credential).' }),
});

export const recommend = defineRoute({
  operationId: 'recommend',
  method: 'post',
  path: '/v1/recommend',
  summary: 'Ranked recommendations for a tenant surface.',
  tags: ['serving'],
  security: ['apiKey', 'bearer'],
  request: { body: RecommendRequest, headers: RecommendHeaders },
  responses: {
    200: { description: 'Ranked items.', body: RecommendResponse },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 429, 500, 503),
  },
});

// ---- /v1/recommend/validate ------------------------------------------------------------------------------

export const NormalizedRequest = z
  .object({
    surface: z.string(),
    segment: z.string(),
    k: z.number().int(),
    user: z.object({
      user_id: z.string().optional(),
      anonymous_id: z.string().optional(),
      session_id: z.string().optional(),
    }),
    context: z
      .object({
        locale: z.string().optional(),
        device: z.string().optional(),
        country: z.string().optional(),
        now: z.string().optional(),
      })
      .optional(),
    anchors: z.object({ item_ids: z.array(z.string()), max_anchors: z.number().int() }).optional(),
    candidates: z
      .object({ include_ids: z.array(z.string()).optional(), exclude_ids: z.array(z.string()).optional() })
      .optional(),
    constraints: z
      .object({
        required_tags: z.array(z.string()).optional(),
        forbidden_tags: z.array(z.string()).optional(),
        max_per_tag: z.record(z.string(), z.number().int()).optional(),
      })
      .optional(),
    weights: z.record(z.string(), z.number()).optional(),
    options: z.object({
      include_reasons: z.boolean(),
      explain: z.enum(EXPLAIN_LEVELS),
      include_trace: z.boolean(),
      seed: z.number().int(),
    }),
    experiment: z.object({ id: z.string().optional(), variant: z.string().optional() }).optional(),
  })
  .meta({ id: 'NormalizedRecommendRequest' });
export type NormalizedRequest = z.output<typeof NormalizedRequest>;

export const ValidateResponse = z
  .object({
    normalized_request: NormalizedRequest,
    warnings: z.array(Warning).optional(),
    meta: z.object({
      tenant_id: z.string(),
      surface: z.string(),
      segment: z.string(),
      algo_version: z.string(),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'ValidateResponse' });

export const validateRecommend = defineRoute({
  operationId: 'validateRecommend',
  method: 'post',
  path: '/v1/recommend/validate',
  summary: 'Validate and normalize a recommend request without ranking.',
  tags: ['serving'],
  security: ['apiKey', 'bearer'],
  request: { body: RecommendRequest },
  responses: {
    200: { description: 'Normalized request and warnings.', body: ValidateResponse },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429),
  },
});

// ---- /v1/similar -----------------------------------------------------------------------------------------

export const SimilarRequest = z
  .strictObject({
    surface: Surface,
    segment: Segment,
    item_id: requiredString().trim().min(1, 'is required').max(256, 'must be at most 256 characters'),
    k: K,
    constraints: Constraints.optional(),
    options: Options.optional(),
  })
  .meta({ id: 'SimilarRequest' });
export type SimilarRequestParsed = z.output<typeof SimilarRequest>;

export const similar = defineRoute({
  operationId: 'similar',
  method: 'post',
  path: '/v1/similar',
  summary: 'Items similar to one anchor item.',
  tags: ['serving'],
  security: ['apiKey', 'bearer'],
  request: { body: SimilarRequest, headers: RecommendHeaders },
  responses: {
    200: { description: 'Similar items (same shape as recommend).', body: RecommendResponse },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 429, 500, 503),
  },
});

// ---- exposure stream -------------------------------------------------------------------------------------

export const ExposureItem = z.object({
  item_id: z.string(),
  rank: z.number().int().positive(),
  score: z.number(),
  propensity: z.number().min(0).max(1).optional(),
});

/** Payload of every `exposure` entry on `recsys.exposures.v1`. */
export const ExposureEvent = z
  .object({
    v: z.literal(1),
    /** request_id + ':' + endpoint. */
    event_id: z.string().min(1),
    request_id: z.string().min(1),
    tenant_id: z.string().min(1),
    surface: z.string().min(1),
    segment: z.string().min(1),
    endpoint: z.enum(['recommend', 'similar']),
    user_id: z.string().optional(),
    anonymous_id: z.string().optional(),
    session_id: z.string().optional(),
    occurred_at: Timestamp,
    items: z.array(ExposureItem),
    algo_version: z.string(),
    config_version: z.string().optional(),
    rules_version: z.string().optional(),
    signal_version: z.string().optional(),
    experiment: ExperimentAssignment.optional(),
    context: z
      .object({
        locale: z.string().optional(),
        device: z.string().optional(),
        country: z.string().optional(),
      })
      .optional(),
  })
  .meta({
    id: 'ExposureEvent',
    description: `Payload of \`${EXPOSURE_ENTRY_TYPE}\` entries on ${EXPOSURES_STREAM}.`,
  });
export type ExposureEvent = z.output<typeof ExposureEvent>;

// ---- internal signal endpoints (publisher → serving, DB-only mode) ---------------------------------------

export const SignalVersionId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of [A-Za-z0-9._:-]')
  .meta({ description: 'Signal version (the manifest version).' });

export const SignalKeyParams = z.object({
  tenant_id: TenantId,
  surface: PathSegment,
  segment: PathSegment,
});

export const SignalVersionParams = SignalKeyParams.extend({ version: SignalVersionId });

export const SignalArtifacts = z.partialRecord(ArtifactKind, Artifact);

export const PutSignalVersionBody = z
  .strictObject({ manifest: Manifest, artifacts: SignalArtifacts })
  .meta({ id: 'PutSignalVersionRequest' });
export type PutSignalVersionBody = z.output<typeof PutSignalVersionBody>;

export const SignalCounts = z.record(z.string(), z.number().int().nonnegative());

export const PutSignalVersionResponse = z
  .object({ version: z.string(), status: z.literal('staged'), counts: SignalCounts })
  .meta({ id: 'PutSignalVersionResponse' });

export const ActivateSignalVersionResponse = z
  .object({ version: z.string(), status: z.literal('live'), previous_version: z.string().nullable() })
  .meta({ id: 'ActivateSignalVersionResponse' });

export const SignalVersionInfo = z
  .object({
    version: z.string(),
    status: z.enum(['staged', 'live', 'retired']),
    counts: SignalCounts,
    created_at: Timestamp,
    activated_at: Timestamp.nullable(),
  })
  .meta({ id: 'SignalVersionInfo' });
export type SignalVersionInfo = z.output<typeof SignalVersionInfo>;

export const SignalStatusResponse = z
  .object({
    live: SignalVersionInfo.nullable(),
    staged: z.array(SignalVersionInfo),
    history: z.array(SignalVersionInfo).meta({ description: 'Previously live versions, newest first.' }),
  })
  .meta({ id: 'SignalStatusResponse' });

/** Largest accepted bulk-load body. */
export const SIGNAL_BODY_LIMIT_BYTES = 512 * 1024 * 1024;

export const putSignalVersion = defineRoute({
  operationId: 'putSignalVersion',
  method: 'put',
  path: '/internal/v1/signals/{tenant_id}/{surface}/{segment}/versions/{version}',
  summary: 'Stage a signal version (DB-only mode bulk load). Idempotent for the same version.',
  tags: ['internal'],
  security: ['serviceToken'],
  request: {
    params: SignalVersionParams,
    body: PutSignalVersionBody,
    bodyLimitBytes: SIGNAL_BODY_LIMIT_BYTES,
  },
  responses: {
    201: { description: 'Staged.', body: PutSignalVersionResponse },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export const activateSignalVersion = defineRoute({
  operationId: 'activateSignalVersion',
  method: 'post',
  path: '/internal/v1/signals/{tenant_id}/{surface}/{segment}/versions/{version}/activate',
  summary: 'Make a staged (or retired) version live in one atomic swap.',
  tags: ['internal'],
  security: ['serviceToken'],
  request: { params: SignalVersionParams },
  responses: {
    200: { description: 'Live.', body: ActivateSignalVersionResponse },
    ...problemResponses(401, 403, 404, 422),
  },
});

export const getSignalStatus = defineRoute({
  operationId: 'getSignalStatus',
  method: 'get',
  path: '/internal/v1/signals/{tenant_id}/{surface}/{segment}',
  summary: 'Live, staged and previously live versions of a (tenant, surface, segment).',
  tags: ['internal'],
  security: ['serviceToken'],
  request: { params: SignalKeyParams },
  responses: {
    200: { description: 'Versions.', body: SignalStatusResponse },
    ...problemResponses(401, 403),
  },
});

export const servingSchemas = { ExposureEvent };

export const servingRoutes = [
  ...opsRoutes,
  recommend,
  validateRecommend,
  similar,
  putSignalVersion,
  activateSignalVersion,
  getSignalStatus,
] as const;

/**
 * Contract of the publisher: the manifest and artifact documents it writes (read by serving, in artifact
 * mode from S3/file and in DB-only mode through serving's bulk-load endpoint), and its stream payload.
 */
import { opsRoutes, PathSegment, Timestamp, z } from '@recsys/contract-kit';

/** Stream the publisher produces: a manifest was published or rolled back (consumed by serving). */
export const MANIFESTS_STREAM = 'recsys.manifests.v1';

export const ARTIFACT_KINDS = [
  'popularity',
  'cooc',
  'i2i',
  'content_sim',
  'session_seq',
  'implicit',
  'catalog',
] as const;
export const ArtifactKind = z.enum(ARTIFACT_KINDS);
export type ArtifactKind = z.output<typeof ArtifactKind>;

const ItemId = z.string().min(1).max(256);
const Score = z.number().finite();

export const ArtifactWindow = z.object({ start: Timestamp, end: Timestamp });

export const ArtifactBuild = z.object({
  built_at: Timestamp,
  /** Publisher version that built it. */
  version: z.string(),
  /** sha256 of the input events (or of the input file) the artifact was computed from. */
  source_hash: z.string(),
  /** Parameters the builder used (half-life, top-N, lambda, …), recorded for reproducibility. */
  params: z.record(z.string(), z.unknown()).default({}),
});

const envelope = {
  v: z.literal(1),
  tenant: PathSegment,
  surface: PathSegment,
  segment: PathSegment.default('default'),
  window: ArtifactWindow,
  build: ArtifactBuild,
  /** Row counts by section (items, neighbours, users, …). */
  counts: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /**
   * sha256 (hex) of the canonical JSON of the artifact without this field (keys sorted, no whitespace).
   * Written by the publisher; readers may recompute it to detect corruption.
   */
  checksum: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
};

/** A ranked neighbour list of one item (co-visitation, learned item-to-item, session next-item). */
export const NeighbourList = z.object({
  item_id: ItemId,
  items: z.array(z.object({ item_id: ItemId, score: Score })),
});

export const PopularityArtifact = z
  .object({
    ...envelope,
    artifact_type: z.literal('popularity'),
    /** Time-decayed score (half-life in build.params) and raw event count. */
    items: z.array(z.object({ item_id: ItemId, score: Score, count: z.number().int().nonnegative() })),
  })
  .meta({ id: 'PopularityArtifact' });

export const CoocArtifact = z
  .object({ ...envelope, artifact_type: z.literal('cooc'), neighbors: z.array(NeighbourList) })
  .meta({ id: 'CoocArtifact' });

export const I2iArtifact = z
  .object({ ...envelope, artifact_type: z.literal('i2i'), neighbors: z.array(NeighbourList) })
  .meta({ id: 'I2iArtifact', description: 'Learned item-to-item model (top-N neighbours per item).' });

export const SessionSeqArtifact = z
  .object({ ...envelope, artifact_type: z.literal('session_seq'), neighbors: z.array(NeighbourList) })
  .meta({ id: 'SessionSeqArtifact', description: 'Next-item transitions within sessions.' });

export const ContentSimArtifact = z
  .object({
    ...envelope,
    artifact_type: z.literal('content_sim'),
    items: z.array(z.object({ item_id: ItemId, tags: z.array(z.string()) })),
  })
  .meta({ id: 'ContentSimArtifact' });

export const ImplicitArtifact = z
  .object({
    ...envelope,
    artifact_type: z.literal('implicit'),
    /** Each user's own interactions in the window (decayed counts), for "buy again" and personal anchors. */
    users: z.array(
      z.object({ user_id: z.string().min(1), items: z.array(z.object({ item_id: ItemId, score: Score })) }),
    ),
  })
  .meta({ id: 'ImplicitArtifact' });

export const CatalogArtifact = z
  .object({
    ...envelope,
    artifact_type: z.literal('catalog'),
    items: z.array(
      z.object({
        item_id: ItemId,
        title: z.string().optional(),
        tags: z.array(z.string()).default([]),
        price: z.number().optional(),
        available: z.boolean().default(true),
        created_at: Timestamp.optional(),
      }),
    ),
  })
  .meta({ id: 'CatalogArtifact' });

export const Artifact = z.discriminatedUnion('artifact_type', [
  PopularityArtifact,
  CoocArtifact,
  I2iArtifact,
  SessionSeqArtifact,
  ContentSimArtifact,
  ImplicitArtifact,
  CatalogArtifact,
]);
export type Artifact = z.output<typeof Artifact>;
export type PopularityArtifact = z.output<typeof PopularityArtifact>;
export type CoocArtifact = z.output<typeof CoocArtifact>;
export type I2iArtifact = z.output<typeof I2iArtifact>;
export type SessionSeqArtifact = z.output<typeof SessionSeqArtifact>;
export type ContentSimArtifact = z.output<typeof ContentSimArtifact>;
export type ImplicitArtifact = z.output<typeof ImplicitArtifact>;
export type CatalogArtifact = z.output<typeof CatalogArtifact>;

/** Entry of one artifact in a manifest: where it is and how to check it. */
export const ManifestEntry = z.object({
  uri: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
});

/**
 * Manifest v1: the `current` pointer of a (tenant, surface, segment). Objects are written first under
 * content-addressed keys; the manifest is written last.
 */
export const Manifest = z
  .object({
    v: z.literal(1),
    tenant: PathSegment,
    surface: PathSegment,
    segment: PathSegment.default('default'),
    /** Content hash of the artifact set; the version serving reports and previews select. */
    version: z.string().min(1),
    /** Artifact URIs by kind (reference-compatible shape). */
    current: z.partialRecord(ArtifactKind, z.string().min(1)),
    /** Checksums and sizes of the same artifacts. */
    artifacts: z.partialRecord(ArtifactKind, ManifestEntry).default({}),
    window: ArtifactWindow.optional(),
    updated_at: Timestamp,
    /** Version this one replaced (for rollback and audit). */
    previous_version: z.string().nullable().default(null),
    /** Evaluation report stored beside the manifest, when the gate ran. */
    eval_report_uri: z.string().optional(),
    /** Set when the evaluation gate was bypassed with --force. */
    forced_reason: z.string().optional(),
    /** Pointer sequence number: increases by one on every move of `current` (publish or rollback). */
    seq: z.number().int().nonnegative().optional(),
    /** Gate outcome for this version, when it was evaluated. */
    gate: z
      .object({
        decision: z.enum(['pass', 'refused', 'forced', 'skipped']),
        metrics: z.record(z.string(), z.number()).optional(),
        baseline_metrics: z.record(z.string(), z.number()).nullable().optional(),
      })
      .optional(),
  })
  .meta({ id: 'Manifest' });
export type Manifest = z.output<typeof Manifest>;

export const ManifestEvent = z
  .object({
    type: z.enum(['manifest.published', 'manifest.rolled_back']),
    tenant_id: z.string(),
    surface: z.string(),
    segment: z.string().default('default'),
    version: z.string(),
    /** Artifact-mode manifest URI; absent in DB-only mode. */
    uri: z.string().optional(),
    at: Timestamp,
  })
  .meta({ id: 'ManifestEvent', description: `Payload on the ${MANIFESTS_STREAM} stream.` });
export type ManifestEvent = z.output<typeof ManifestEvent>;

/** One line of the publish history of a (tenant, surface): what `current` pointed at, and why. */
export const HistoryEntry = z
  .object({
    seq: z.number().int().nonnegative(),
    version: z.string(),
    action: z.enum(['publish', 'rollback', 'ship']),
    at: Timestamp,
    previous_version: z.string().nullable(),
    /** Staged manifest of this version (rollback and ship copy it back to current). */
    manifest_key: z.string(),
    forced_reason: z.string().optional(),
  })
  .meta({ id: 'PublishHistoryEntry' });
export type HistoryEntry = z.output<typeof HistoryEntry>;

export const PublishHistory = z
  .object({ v: z.literal(1), tenant: z.string(), surface: z.string(), entries: z.array(HistoryEntry) })
  .meta({ id: 'PublishHistory' });
export type PublishHistory = z.output<typeof PublishHistory>;

export const EvalMetrics = z.object({
  k: z.number().int().positive(),
  users: z.number().int().nonnegative(),
  precision: z.number(),
  recall: z.number(),
  ndcg: z.number(),
  hit_rate: z.number(),
  coverage: z.number(),
});
export type EvalMetrics = z.output<typeof EvalMetrics>;

/** Evaluation report stored beside a staged manifest (report.json; report.md and report.html render it). */
export const EvalReport = z
  .object({
    v: z.literal(1),
    tenant: z.string(),
    surface: z.string(),
    segment: z.string(),
    candidate_version: z.string(),
    current_version: z.string().nullable(),
    evaluator: z.enum(['serving', 'local']),
    train_window: ArtifactWindow,
    holdout_window: ArtifactWindow,
    candidate: EvalMetrics,
    current: EvalMetrics.nullable(),
    tolerance: z.number().nonnegative(),
    gate_metrics: z.array(z.string()),
    decision: z.enum(['pass', 'refused', 'forced', 'skipped']),
    reasons: z.array(z.string()),
    forced_reason: z.string().optional(),
    generated_at: Timestamp,
    publisher_version: z.string(),
  })
  .meta({ id: 'EvalReport' });
export type EvalReport = z.output<typeof EvalReport>;

export const publisherSchemas = {
  Manifest,
  ManifestEvent,
  EvalReport,
  PublishHistory,
  PopularityArtifact,
  CoocArtifact,
  I2iArtifact,
  SessionSeqArtifact,
  ContentSimArtifact,
  ImplicitArtifact,
  CatalogArtifact,
};

export const publisherRoutes = [...opsRoutes] as const;

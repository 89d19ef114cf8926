import type { Artifact, ArtifactKind } from '@recsys/contracts-publisher';
import { canonicalDigest } from '../canonical.js';

/** The fields every artifact shares; builders add their body and counts. */
export interface EnvelopeBase {
  tenant: string;
  surface: string;
  segment: string;
  window: { start: string; end: string };
  /** Logical build time (the run's as-of), so the same input and parameters give the same bytes. */
  builtAt: string;
  publisherVersion: string;
  sourceHash: string;
}

export function envelope(
  base: EnvelopeBase,
  kind: ArtifactKind,
  params: Record<string, unknown>,
  counts: Record<string, number>,
) {
  return {
    v: 1 as const,
    artifact_type: kind,
    tenant: base.tenant,
    surface: base.surface,
    segment: base.segment,
    window: base.window,
    build: {
      built_at: base.builtAt,
      version: base.publisherVersion,
      source_hash: base.sourceHash,
      params,
    },
    counts,
  };
}

/** The member of each artifact that holds its rows. */
export const BODY_KEY = {
  popularity: 'items',
  content_sim: 'items',
  catalog: 'items',
  cooc: 'neighbors',
  i2i: 'neighbors',
  session_seq: 'neighbors',
  implicit: 'users',
} as const satisfies Record<ArtifactKind, 'items' | 'neighbors' | 'users'>;

/** Everything of an artifact but its rows and its checksum: the envelope, the type and the counts. */
export type ArtifactHead = ReturnType<typeof envelope> & { artifact_type: ArtifactKind };

/** Receives an artifact's rows, one at a time, in the order they are stored. */
export type RowSink = (row: Record<string, unknown>) => void;

/**
 * Writes an artifact's rows to a sink in their stored order and returns its head (counts included, which
 * are known only once every row was written). The same writer fills an in-memory artifact (`collect`) or a
 * file streamed row by row (see StreamedArtifactFile), so both hold the same bytes.
 */
export type ArtifactWriter = (sink: RowSink) => ArtifactHead;

/** Runs a writer into memory: its head and rows as one sealed artifact document. */
export function collect<T extends Artifact>(write: ArtifactWriter): T {
  const rows: Record<string, unknown>[] = [];
  const head = write((row) => rows.push(row));
  return seal({ ...head, [BODY_KEY[head.artifact_type]]: rows }) as unknown as T;
}

/** sha256 of the canonical JSON of an artifact without its `checksum` field (hashed chunk by chunk). */
export function artifactChecksum(artifact: Artifact | Record<string, unknown>): string {
  const { checksum: _omit, ...rest } = artifact as Record<string, unknown>;
  return canonicalDigest(rest).sha256;
}

/** Sets `checksum` and returns the artifact. */
export function seal<T extends Record<string, unknown>>(artifact: T): T & { checksum: string } {
  return { ...artifact, checksum: artifactChecksum(artifact) };
}

/** Scores are stored with 6 significant digits: plenty for ranking, a third of the bytes. */
export function roundScore(value: number): number {
  if (value === 0) return 0;
  return Number(value.toPrecision(6));
}

/** Top `n` entries of a (key → score) map by score desc, key asc, keeping only positive scores. */
export function topN<K extends string | number>(
  entries: Iterable<[K, number]>,
  n: number,
  keyName: (k: K) => string,
): { key: K; score: number }[] {
  const list: { key: K; score: number; name: string }[] = [];
  for (const [key, score] of entries) if (score > 0) list.push({ key, score, name: keyName(key) });
  list.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return list.slice(0, n).map(({ key, score }) => ({ key, score }));
}

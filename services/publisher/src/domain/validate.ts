import { Artifact, type ArtifactKind, type Manifest } from '@recsys/contracts-publisher';
import { canonicalDigest, sha256Hex } from './canonical.js';

export interface ValidationLimits {
  /** Largest serialized artifact accepted. */
  maxArtifactBytes: number;
}

export interface ValidationResult {
  ok: boolean;
  errors: string[];
  /** Serialized bytes per kind (what will be uploaded), for the manifest. */
  bytes: Partial<Record<ArtifactKind, number>>;
}

/**
 * Checks a set of artifacts before anything is published: each matches its schema, is non-empty, is within
 * the size limit, carries a correct checksum, holds no NaN/Infinity, has no duplicate rows, agrees with the
 * others on tenant/surface/segment/window, and — when a catalog is part of the set — names only catalog ids.
 */
export function validateArtifacts(
  artifacts: Partial<Record<ArtifactKind, unknown>>,
  limits: ValidationLimits,
  expect?: { tenant: string; surface: string; segment: string },
): ValidationResult {
  const validator = new ArtifactValidator(limits, expect);
  for (const kind of Object.keys(artifacts) as ArtifactKind[]) validator.add(kind, artifacts[kind]);
  return validator.finish();
}

/**
 * `validateArtifacts` one artifact at a time: `add` runs the checks of one artifact and keeps only what the
 * cross-checks need (envelope fields, and the item ids it names until the catalog is known), so artifacts
 * can be let go as soon as they are checked and serialized; `finish` runs the cross-checks.
 */
export class ArtifactValidator {
  private readonly errors: string[] = [];
  private readonly bytes: Partial<Record<ArtifactKind, number>> = {};
  private readonly kinds: ArtifactKind[] = [];
  private readonly valid: {
    type: ArtifactKind;
    window: { start: string; end: string };
    tenant: string;
    surface: string;
    segment: string;
    /** Unknown-id error against the catalog (or the ids, while no catalog has been seen). */
    unknown: string | null | string[];
  }[] = [];
  private known: Set<string> | null = null;

  constructor(
    private readonly limits: ValidationLimits,
    private readonly expect?: { tenant: string; surface: string; segment: string },
  ) {}

  /** Checks one artifact; true when it passed its own checks (cross-checks come in `finish`). */
  add(kind: ArtifactKind, raw: unknown): boolean {
    const { errors, limits, expect } = this;
    const before = errors.length;
    this.kinds.push(kind);
    const nonFinite = findNonFinite(raw, kind);
    if (nonFinite) {
      errors.push(`${kind}: non-finite number at ${nonFinite}`);
      return false;
    }
    const issue = schemaIssue(raw);
    if (issue) {
      errors.push(`${kind}: schema: ${issue}`);
      return false;
    }
    // Schema-checked artifacts are used as they are (a parsed copy would double the memory).
    const artifact = raw as Artifact;
    if (artifact.artifact_type !== kind) {
      errors.push(`${kind}: artifact_type is ${artifact.artifact_type}`);
      return false;
    }
    // One streamed serialization serves both checks: the checksum covers the document without `checksum`,
    // and the stored bytes are that plus `,"checksum":"<64 hex>"` (78 bytes).
    const { checksum: rawChecksum, ...rest } = raw as Record<string, unknown>;
    const digest = canonicalDigest(rest);
    const size = digest.bytes + (typeof rawChecksum === 'string' ? 78 : 0);
    this.bytes[kind] = size;
    if (size > limits.maxArtifactBytes)
      errors.push(`${kind}: ${size} bytes, above the limit of ${limits.maxArtifactBytes}`);
    if (typeof rawChecksum !== 'string') errors.push(`${kind}: checksum missing`);
    else if (digest.sha256 !== rawChecksum) errors.push(`${kind}: checksum mismatch`);
    const rows = rowIds(artifact);
    if (rows.length === 0) errors.push(`${kind}: empty`);
    const duplicate = firstDuplicate(rows);
    if (duplicate !== undefined) errors.push(`${kind}: duplicate row ${JSON.stringify(duplicate)}`);
    const segment = (artifact.segment as string | undefined) ?? 'default';
    if (expect) {
      const actual = { tenant: artifact.tenant, surface: artifact.surface, segment };
      for (const field of ['tenant', 'surface', 'segment'] as const) {
        if (actual[field] !== expect[field])
          errors.push(`${kind}: ${field} is ${actual[field]}, expected ${expect[field]}`);
      }
    }
    let unknown: string | null | string[] = null;
    if (artifact.artifact_type === 'catalog') {
      this.known = new Set(artifact.items.map((i) => i.item_id));
      for (const other of this.valid)
        if (Array.isArray(other.unknown)) other.unknown = this.unknownError(other.type, other.unknown);
    } else {
      const ids = referencedItems(artifact);
      unknown = this.known ? this.unknownError(kind, ids) : ids;
    }
    this.valid.push({
      type: artifact.artifact_type,
      window: { start: artifact.window.start, end: artifact.window.end },
      tenant: artifact.tenant,
      surface: artifact.surface,
      segment,
      unknown,
    });
    return errors.length === before;
  }

  private unknownError(type: ArtifactKind, ids: string[]): string | null {
    const unknown = ids.filter((id) => !this.known!.has(id));
    if (!unknown.length) return null;
    return `${type}: ${unknown.length} item ids unknown to the catalog (e.g. ${unknown
      .slice(0, 5)
      .map((id) => JSON.stringify(id))
      .join(', ')})`;
  }

  finish(): ValidationResult {
    const errors = [...this.errors];
    if (!this.kinds.length) errors.unshift('no artifacts to publish');
    if (!this.kinds.includes('popularity'))
      errors.splice(this.kinds.length ? 0 : 1, 0, 'popularity artifact is required');
    const first = this.valid[0];
    if (first) {
      for (const artifact of this.valid) {
        if (artifact.window.start !== first.window.start || artifact.window.end !== first.window.end) {
          errors.push(`${artifact.type}: window differs from ${first.type}`);
        }
        if (
          artifact.tenant !== first.tenant ||
          artifact.surface !== first.surface ||
          artifact.segment !== first.segment
        ) {
          errors.push(`${artifact.type}: tenant/surface/segment differ from ${first.type}`);
        }
      }
    }
    if (this.known) {
      for (const artifact of this.valid)
        if (typeof artifact.unknown === 'string') errors.push(artifact.unknown);
    }
    return { ok: errors.length === 0, errors, bytes: { ...this.bytes } };
  }
}

const BODY_KEY: Record<string, 'items' | 'neighbors' | 'users'> = {
  popularity: 'items',
  content_sim: 'items',
  catalog: 'items',
  cooc: 'neighbors',
  i2i: 'neighbors',
  session_seq: 'neighbors',
  implicit: 'users',
};

/** Rows schema-checked per call: the parse builds a copy of what it checks, so it sees a slice at a time. */
const SCHEMA_ROWS = 5_000;

/**
 * The first schema issue of an artifact, or null. The envelope is checked with the first rows, then the other
 * rows in slices under the same envelope; an issue's row index is that of the whole document.
 */
function schemaIssue(raw: unknown): string | null {
  const record = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : null;
  const key = record ? BODY_KEY[String(record.artifact_type)] : undefined;
  const rows = key ? record![key] : undefined;
  const slices = Array.isArray(rows) ? Math.max(1, Math.ceil(rows.length / SCHEMA_ROWS)) : 1;
  for (let slice = 0; slice < slices; slice++) {
    const start = slice * SCHEMA_ROWS;
    const result = Array.isArray(rows)
      ? Artifact.safeParse({ ...record, [key!]: rows.slice(start, start + SCHEMA_ROWS) })
      : Artifact.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const path = [...issue.path];
      if (Array.isArray(rows) && path[0] === key && typeof path[1] === 'number') path[1] += start;
      return `${path.join('.') || '(root)'} ${issue.message}`;
    }
  }
  return null;
}

/** Checks a manifest entry against the bytes read back from the store. */
export function verifyObject(entry: { sha256: string; bytes: number }, body: Uint8Array): string | null {
  if (body.byteLength !== entry.bytes) return `size ${body.byteLength} != ${entry.bytes}`;
  const sha = sha256Hex(body);
  if (sha !== entry.sha256) return `sha256 ${sha} != ${entry.sha256}`;
  return null;
}

export function validateManifestAgainst(manifest: Manifest, tenant: string, surface: string): string[] {
  const errors: string[] = [];
  if (manifest.tenant !== tenant) errors.push(`manifest tenant ${manifest.tenant} != ${tenant}`);
  if (manifest.surface !== surface) errors.push(`manifest surface ${manifest.surface} != ${surface}`);
  for (const kind of Object.keys(manifest.current) as ArtifactKind[]) {
    if (!manifest.artifacts[kind]) errors.push(`manifest lists ${kind} without checksum entry`);
  }
  return errors;
}

function rowIds(artifact: Artifact): string[] {
  switch (artifact.artifact_type) {
    case 'popularity':
    case 'content_sim':
    case 'catalog':
      return artifact.items.map((i) => i.item_id);
    case 'cooc':
    case 'i2i':
    case 'session_seq':
      return artifact.neighbors.map((n) => n.item_id);
    case 'implicit':
      return artifact.users.map((u) => u.user_id);
  }
}

function referencedItems(artifact: Artifact): string[] {
  const ids = new Set<string>();
  switch (artifact.artifact_type) {
    case 'popularity':
    case 'content_sim':
    case 'catalog':
      for (const i of artifact.items) ids.add(i.item_id);
      break;
    case 'cooc':
    case 'i2i':
    case 'session_seq':
      for (const n of artifact.neighbors) {
        ids.add(n.item_id);
        for (const i of n.items) ids.add(i.item_id);
      }
      break;
    case 'implicit':
      for (const u of artifact.users) for (const i of u.items) ids.add(i.item_id);
  }
  return [...ids];
}

function firstDuplicate(values: string[]): string | undefined {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return undefined;
}

function findNonFinite(value: unknown, path: string): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonFinite(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const found = findNonFinite(v, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

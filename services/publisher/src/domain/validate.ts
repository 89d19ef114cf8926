import {
  Artifact,
  CatalogArtifact,
  CoocArtifact,
  ContentSimArtifact,
  I2iArtifact,
  ImplicitArtifact,
  PopularityArtifact,
  SessionSeqArtifact,
  type ArtifactKind,
  type Manifest,
} from '@recsys/contracts-publisher';
import { z } from 'zod';
import { BODY_KEY, type ArtifactHead } from './artifacts/envelope.js';
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
    const { errors, limits } = this;
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
    this.accept(kind, artifact, {
      rows: rows.length,
      duplicate: firstDuplicate(rows),
      ids: () => (artifact.artifact_type === 'catalog' ? new Set(rows) : referencedItems(artifact)),
    });
    return errors.length === before;
  }

  /**
   * Checks one artifact that was streamed to a file (see StreamedArtifactFile): its head, and what `rows`
   * saw of its rows as they were written. `bytes` is the file's length; `problem` a row that could not be
   * encoded. True when it passed its own checks.
   */
  addStreamed(
    kind: ArtifactKind,
    head: ArtifactHead,
    rows: RowChecker,
    bytes: number,
    problem: string | null,
  ): boolean {
    const { errors, limits } = this;
    const before = errors.length;
    this.kinds.push(kind);
    const body = BODY_KEY[kind];
    const issue = problem ?? rows.issue ?? schemaIssue({ ...head, [body]: [] });
    if (issue) {
      errors.push(`${kind}: ${problem ? '' : 'schema: '}${issue}`);
      return false;
    }
    if (head.artifact_type !== kind) {
      errors.push(`${kind}: artifact_type is ${head.artifact_type}`);
      return false;
    }
    this.bytes[kind] = bytes;
    if (bytes > limits.maxArtifactBytes)
      errors.push(`${kind}: ${bytes} bytes, above the limit of ${limits.maxArtifactBytes}`);
    this.accept(kind, head, {
      rows: rows.count,
      duplicate: rows.duplicate,
      ids: () => (kind === 'catalog' ? rows.ids : rows.namedItems()),
    });
    return errors.length === before;
  }

  /** The checks shared by both kinds of `add`, after the schema: rows, envelope, ids against the catalog. */
  private accept(
    kind: ArtifactKind,
    artifact: Pick<Artifact, 'artifact_type' | 'tenant' | 'surface' | 'segment' | 'window'>,
    rows: {
      rows: number;
      duplicate: string | undefined;
      /** The catalog's ids (a catalog) or the item ids the artifact names (any other). */
      ids: () => Set<string> | string[];
    },
  ): void {
    const { errors, expect } = this;
    if (rows.rows === 0) errors.push(`${kind}: empty`);
    const duplicate = rows.duplicate;
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
      this.known = rows.ids() as Set<string>;
      for (const other of this.valid)
        if (Array.isArray(other.unknown)) other.unknown = this.unknownError(other.type, other.unknown);
    } else {
      const ids = rows.ids() as string[];
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

/** Rows schema-checked per call: the parse builds a copy of what it checks, so it sees a slice at a time. */
const SCHEMA_ROWS = 5_000;

/**
 * The first schema issue of an artifact, or null. The envelope is checked with the first rows, then the other
 * rows in slices under the same envelope; an issue's row index is that of the whole document.
 */
function schemaIssue(raw: unknown): string | null {
  const record = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : null;
  const key = record ? (BODY_KEY as Record<string, string>)[String(record.artifact_type)] : undefined;
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

const ROW_SCHEMAS = {
  popularity: PopularityArtifact.shape.items.element,
  cooc: CoocArtifact.shape.neighbors.element,
  i2i: I2iArtifact.shape.neighbors.element,
  session_seq: SessionSeqArtifact.shape.neighbors.element,
  content_sim: ContentSimArtifact.shape.items.element,
  implicit: ImplicitArtifact.shape.users.element,
  catalog: CatalogArtifact.shape.items.element,
} satisfies Record<ArtifactKind, z.ZodType>;

/**
 * The row checks of one artifact while it is written (see ArtifactValidator.addStreamed): each row is
 * schema-checked, a slice of SCHEMA_ROWS at a time, and its id and the item ids it names are collected.
 * Holds a slice of rows, the row ids and the item ids named (bounded by the rows and the catalog), never
 * the artifact. `seconds`/`cpuSeconds` is the time spent checking.
 */
export class RowChecker {
  count = 0;
  issue: string | null = null;
  duplicate: string | undefined;
  /** Row ids (items, or users for implicit). */
  readonly ids = new Set<string>();
  /** Item ids named by a neighbour artifact (rows and their neighbours), in the order first seen. */
  private readonly referenced = new Set<string>();
  seconds = 0;
  cpuSeconds = 0;
  private slice: Record<string, unknown>[] = [];
  private readonly schema: z.ZodType;
  private readonly body: string;
  /** Rows carry `items` naming other items (neighbour artifacts, implicit); otherwise the row id is the item. */
  private readonly namesNeighbours: boolean;

  constructor(private readonly kind: ArtifactKind) {
    this.namesNeighbours = kind !== 'popularity' && kind !== 'content_sim' && kind !== 'catalog';
    this.schema = z.array(ROW_SCHEMAS[kind]);
    this.body = BODY_KEY[kind];
  }

  add(row: Record<string, unknown>): void {
    this.slice.push(row);
    if (this.slice.length >= SCHEMA_ROWS) this.flush();
  }

  /** The item ids the artifact names, in the order `referencedItems` lists them for the same document. */
  namedItems(): string[] {
    return [...(this.namesNeighbours ? this.referenced : this.ids)];
  }

  /** Checks the rows added since the last call (called at the end of the artifact too). */
  flush(): void {
    const slice = this.slice;
    if (!slice.length) return;
    this.slice = [];
    const started = performance.now();
    const cpu = process.cpuUsage();
    const start = this.count;
    this.count += slice.length;
    if (this.issue === null) {
      const result = this.schema.safeParse(slice);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const [index, ...rest] = issue.path;
        this.issue = `${[this.body, Number(index) + start, ...rest].join('.')} ${issue.message}`;
      }
    }
    const idKey = this.kind === 'implicit' ? 'user_id' : 'item_id';
    for (const row of slice) {
      const id = row[idKey] as string;
      const seen = this.ids.size;
      this.ids.add(id);
      if (this.ids.size === seen) this.duplicate ??= id;
      if (this.namesNeighbours) {
        if (this.kind !== 'implicit') this.referenced.add(id); // a user id names no item
        for (const item of row.items as { item_id: string }[]) this.referenced.add(item.item_id);
      }
    }
    this.seconds += (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    this.cpuSeconds += (used.user + used.system) / 1e6;
  }
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

/** The path of the first non-finite number in `value`, or null; paths are only built when there is one. */
function findNonFinite(value: unknown, path: string): string | null {
  return hasNonFinite(value) ? pathOfNonFinite(value, path) : null;
}

function hasNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNonFinite(value[i])) return true;
    return false;
  }
  if (value && typeof value === 'object') {
    for (const key in value) if (hasNonFinite((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function pathOfNonFinite(value: unknown, path: string): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pathOfNonFinite(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const found = pathOfNonFinite(v, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

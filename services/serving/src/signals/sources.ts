import { setImmediate as nextTurn } from 'node:timers/promises';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Kysely } from 'kysely';
import { ARTIFACT_KINDS, type ArtifactKind, type Manifest } from '@recsys/contracts-publisher';
import * as repo from '../db/signals.repository.js';
import type { ServingDatabase } from '../db/schema.js';
import { SignalLoadError, SignalNotFoundError } from './errors.js';
import {
  checkArtifact,
  checkChecksum,
  checkManifest,
  sha256Hex,
  type ArtifactSet,
  type SignalKey,
} from './validate.js';

/** A validated artifact set of one version, ready to be built into a snapshot. */
export interface LoadedSignals {
  version: string;
  manifest: Manifest;
  artifacts: ArtifactSet;
}

/** Where snapshots come from: serving's own tables (DB-only mode) or manifests (artifact mode). */
export interface SignalSource {
  readonly mode: 'db' | 'artifact';
  /** Whether the segment is part of the lookup key (otherwise every request segment shares `default`). */
  readonly segmented: boolean;
  /** The live (current) version, or null when there is none. */
  loadCurrent(key: SignalKey): Promise<LoadedSignals | null>;
  /** A specific (staged or older) version, for previews; throws SignalNotFoundError when unknown. */
  loadVersion(key: SignalKey, version: string): Promise<LoadedSignals>;
  /** Cheap check of the current version id (DB mode: one indexed query); null when none. */
  currentVersion?(key: SignalKey): Promise<string | null>;
  /** Keys with a live version (DB mode), loaded at startup. */
  listLive?(): Promise<{ key: SignalKey; version: string }[]>;
}

// ---- DB-only mode ------------------------------------------------------------------------------------------

export class DbSignalSource implements SignalSource {
  readonly mode = 'db' as const;
  readonly segmented = true;

  constructor(private readonly db: Kysely<ServingDatabase>) {}

  async listLive(): Promise<{ key: SignalKey; version: string }[]> {
    const rows = await repo.listLive(this.db);
    return rows.map((r) => ({
      key: { tenantId: r.tenant_id, surface: r.surface, segment: r.segment },
      version: r.version,
    }));
  }

  async currentVersion(key: SignalKey): Promise<string | null> {
    const rows = await repo.listVersions(this.db, key);
    return rows.find((r) => r.status === 'live')?.version ?? null;
  }

  async loadCurrent(key: SignalKey): Promise<LoadedSignals | null> {
    const live = (await repo.listVersions(this.db, key)).find((r) => r.status === 'live');
    return live ? this.loadRow(key, live) : null;
  }

  async loadVersion(key: SignalKey, version: string): Promise<LoadedSignals> {
    const row = await repo.findVersion(this.db, key, version);
    if (!row) throw new SignalNotFoundError(`signal version ${version} not found`);
    return this.loadRow(key, row);
  }

  private async loadRow(key: SignalKey, row: repo.VersionRow): Promise<LoadedSignals> {
    const manifestRow = await this.db
      .selectFrom('signal_versions')
      .select('manifest')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    const manifest = checkManifest(manifestRow.manifest, key, true);
    const artifacts: ArtifactSet = {};
    for (const stored of await repo.loadArtifacts(this.db, row.id)) {
      const kind = stored.kind as ArtifactKind;
      if (sha256Hex(stored.body) !== stored.sha256) {
        throw new SignalLoadError(kind, `${kind} artifact of ${row.version} is corrupt (checksum)`, true);
      }
      (artifacts as Record<string, unknown>)[kind] = JSON.parse(stored.body);
      // Checking and parsing a large artifact takes a while: requests are answered before the next one.
      await nextTurn();
    }
    return { version: row.version, manifest, artifacts };
  }
}

// ---- artifact / manifest mode ------------------------------------------------------------------------------

export interface ArtifactSourceOptions {
  template: string;
  stagedTemplate: string;
  fileRoot: string;
  maxBytes: number;
  s3?: {
    endpoint: string;
    region: string;
    accessKey: string;
    secretKey: string;
    useSsl: boolean;
  };
}

const SAFE_VALUE = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Template values must be safe path segments: no traversal, separators or control characters. */
export function safeTemplateValue(name: string, value: string): string {
  if (!SAFE_VALUE.test(value) || value === '.' || value === '..') {
    throw new SignalLoadError('request', `${name} contains invalid path segment`, true);
  }
  return value;
}

export function expandTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(tenant|surface|segment|version)\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new SignalLoadError('request', `template needs {${name}}`, true);
    return safeTemplateValue(name, value);
  });
}

/** `.../current/{tenant}/{surface}/manifest.json` → `.../staged/{tenant}/{surface}/{version}/manifest.json`. */
export function deriveStagedTemplate(template: string): string {
  const staged = template.replace('/current/', '/staged/');
  const slash = staged.lastIndexOf('/');
  return `${staged.slice(0, slash)}/{version}${staged.slice(slash)}`;
}

export class ArtifactSignalSource implements SignalSource {
  readonly mode = 'artifact' as const;
  readonly segmented: boolean;
  private s3: Promise<S3Client> | undefined;
  private readonly s3Options: ArtifactSourceOptions['s3'];
  private readonly stagedTemplate: string;

  constructor(private readonly options: ArtifactSourceOptions) {
    this.segmented = options.template.includes('{segment}');
    this.stagedTemplate = options.stagedTemplate || deriveStagedTemplate(options.template);
    this.s3Options = options.s3;
  }

  /** The S3 SDK is loaded on first use, so DB-only mode never pays for it at startup. */
  private client(): Promise<S3Client> {
    const o = this.s3Options;
    this.s3 ??= import('@aws-sdk/client-s3').then(({ S3Client }) => {
      const endpoint = o?.endpoint
        ? /^https?:\/\//.test(o.endpoint)
          ? o.endpoint
          : `${o.useSsl ? 'https' : 'http'}://${o.endpoint}`
        : undefined;
      return new S3Client({
        ...(endpoint ? { endpoint } : {}),
        region: o?.region ?? 'us-east-1',
        forcePathStyle: true,
        ...(o?.accessKey ? { credentials: { accessKeyId: o.accessKey, secretAccessKey: o.secretKey } } : {}),
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    });
    return this.s3;
  }

  async close(): Promise<void> {
    if (this.s3) (await this.s3).destroy();
  }

  async loadCurrent(key: SignalKey): Promise<LoadedSignals | null> {
    const uri = expandTemplate(this.options.template, {
      tenant: key.tenantId,
      surface: key.surface,
      segment: key.segment,
    });
    try {
      return await this.loadManifest(uri, key);
    } catch (error) {
      if (error instanceof SignalNotFoundError) return null;
      throw error;
    }
  }

  async loadVersion(key: SignalKey, version: string): Promise<LoadedSignals> {
    const uri = expandTemplate(this.stagedTemplate, {
      tenant: key.tenantId,
      surface: key.surface,
      segment: key.segment,
      version,
    });
    const loaded = await this.loadManifest(uri, key);
    if (loaded.version !== version) {
      throw new SignalLoadError('manifest', `staged manifest holds version ${loaded.version}`, true);
    }
    return loaded;
  }

  private async loadManifest(uri: string, key: SignalKey): Promise<LoadedSignals> {
    const bytes = await this.read(uri, 'manifest');
    const manifest = checkManifest(parseJson(bytes, 'manifest'), key, this.segmented);
    const artifacts: ArtifactSet = {};
    for (const kind of ARTIFACT_KINDS) {
      const ref = manifest.current[kind];
      if (!ref) continue;
      let body: Buffer;
      try {
        body = await this.read(resolveRef(uri, ref), kind);
      } catch (error) {
        // Reference: a kind whose blob is missing is "no data" for that kind.
        if (error instanceof SignalNotFoundError) continue;
        throw error;
      }
      checkChecksum(manifest, kind, body);
      (artifacts as Record<string, unknown>)[kind] = checkArtifact(parseJson(body, kind), kind, key);
    }
    return { version: manifest.version, manifest, artifacts };
  }

  private async read(uri: string, kind: string): Promise<Buffer> {
    if (uri.startsWith('s3://')) return this.readS3(uri, kind);
    return this.readFile(uri, kind);
  }

  private async readS3(uri: string, kind: string): Promise<Buffer> {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!match) throw new SignalLoadError(kind, `invalid s3 URI ${uri}`, true);
    try {
      const [client, { GetObjectCommand }] = await Promise.all([this.client(), import('@aws-sdk/client-s3')]);
      const out = await client.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
      if ((out.ContentLength ?? 0) > this.options.maxBytes) {
        throw new SignalLoadError(kind, `${kind} object exceeds ${this.options.maxBytes} bytes`, false);
      }
      const bytes = Buffer.from(await out.Body!.transformToByteArray());
      if (bytes.length > this.options.maxBytes) {
        throw new SignalLoadError(kind, `${kind} object exceeds ${this.options.maxBytes} bytes`, false);
      }
      return bytes;
    } catch (error) {
      if (error instanceof SignalLoadError) throw error;
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') throw new SignalNotFoundError(`${uri} not found`);
      throw new SignalLoadError(kind, `reading ${kind} failed: ${(error as Error).message}`, false, {
        cause: error,
      });
    }
  }

  private async readFile(uri: string, kind: string): Promise<Buffer> {
    const root = this.options.fileRoot;
    if (!root) throw new SignalLoadError(kind, 'file URI but RECSYS_ARTIFACT_FILE_ROOT is not set', false);
    const raw = uri.startsWith('file://') ? decodeURIComponent(uri.slice('file://'.length)) : uri;
    if (raw.split(/[/\\]/).includes('..')) {
      throw new SignalLoadError(kind, `${kind} path escapes the artifact root`, true);
    }
    const realRoot = await realpath(root);
    const candidate = isAbsolute(raw) ? resolve(raw) : resolve(realRoot, raw);
    if (!within(realRoot, candidate) && !within(resolve(root), candidate)) {
      throw new SignalLoadError(kind, `${kind} path is outside the artifact root`, true);
    }
    let real: string;
    try {
      real = await realpath(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new SignalNotFoundError(`${uri} not found`);
      throw new SignalLoadError(kind, `reading ${kind} failed: ${(error as Error).message}`, false);
    }
    if (!within(realRoot, real)) {
      throw new SignalLoadError(kind, `${kind} path escapes the artifact root (symlink)`, true);
    }
    const info = await lstat(real);
    if (info.size > this.options.maxBytes) {
      throw new SignalLoadError(kind, `${kind} file exceeds ${this.options.maxBytes} bytes`, false);
    }
    return readFile(real);
  }
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
}

/** Absolute URIs are used as given; a relative reference resolves against the manifest's folder. */
function resolveRef(manifestUri: string, ref: string): string {
  if (/^[a-z0-9]+:\/\//i.test(ref) || ref.startsWith('/')) return ref;
  const slash = manifestUri.lastIndexOf('/');
  return posix.normalize(`${manifestUri.slice(0, slash + 1)}${ref}`).replace(/^(s3|file):\/(?!\/)/, '$1://');
}

function parseJson(bytes: Buffer, kind: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new SignalLoadError(kind, `${kind} is not valid JSON: ${(error as Error).message}`, true);
  }
}

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/**
 * The object store the publisher writes artifacts, manifests, pointers and reports to. Adapters: S3
 * (src/adapters/s3-store.ts), local directory (src/adapters/file-store.ts), memory (tests).
 */
export interface StoredObject {
  body: Buffer;
  etag: string;
}

export interface PutOptions {
  contentType?: string;
  /** Write only if the object's current ETag is this one (compare-and-swap). */
  ifMatch?: string;
  /** `*`: write only if no object exists at the key. */
  ifNoneMatch?: '*';
}

export interface ObjectStore {
  /** Whether `ifMatch`/`ifNoneMatch` are enforced; when false they are ignored and the pointer protocol compensates. */
  readonly conditionalWrites: boolean;
  /** The URI serving resolves for a key (s3://bucket/key or file:///abs/path). */
  uri(key: string): string;
  get(key: string): Promise<StoredObject | null>;
  /** Throws PreconditionFailedError when a condition is enforced and does not hold. */
  put(key: string, body: Buffer | string, options?: PutOptions): Promise<{ etag: string }>;
  /**
   * Uploads a local file of `bytes` bytes as the object, streamed (unconditional). Optional: without it
   * `putFile()` below reads the file into memory and calls `put`.
   */
  putFile?(
    key: string,
    path: string,
    bytes: number,
    options?: { contentType?: string },
  ): Promise<{ etag: string }>;
  /** The object's bytes as a stream, or null when it does not exist. Optional: `digestOf()` falls back to `get`. */
  openRead?(key: string): Promise<Readable | null>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
}

export class PreconditionFailedError extends Error {
  constructor(key: string) {
    super(`conditional write on ${key} failed: the object changed since it was read`);
    this.name = 'PreconditionFailedError';
  }
}

/** Keys of the registry layout (docs/adr/0006-publish-pointer-protocol.md). */
export const keys = {
  object: (tenant: string, surface: string, kind: string, sha: string) =>
    `registry/objects/${tenant}/${surface}/${kind}/${sha}.json`,
  stagedDir: (tenant: string, surface: string, version: string) =>
    `registry/staged/${tenant}/${surface}/${version}`,
  staged: (tenant: string, surface: string, version: string) =>
    `registry/staged/${tenant}/${surface}/${version}/manifest.json`,
  current: (tenant: string, surface: string) => `registry/current/${tenant}/${surface}/manifest.json`,
  pointerDir: (tenant: string, surface: string) => `registry/current/${tenant}/${surface}/`,
  pointer: (tenant: string, surface: string, seq: number) =>
    `registry/current/${tenant}/${surface}/pointer-${String(seq).padStart(12, '0')}.json`,
  history: (tenant: string, surface: string) => `registry/history/${tenant}/${surface}/history.json`,
};

export function seqOfPointerKey(key: string): number | null {
  const match = /pointer-(\d{12})\.json$/.exec(key);
  return match ? Number(match[1]) : null;
}

/** Uploads a local file as an object, streamed when the store can (see ObjectStore.putFile). */
export async function putFile(
  store: ObjectStore,
  key: string,
  path: string,
  bytes: number,
  options: { contentType?: string } = {},
): Promise<{ etag: string }> {
  if (store.putFile) return store.putFile(key, path, bytes, options);
  return store.put(key, await readFile(path), options);
}

/** sha256 and length of a stored object, read as a stream when the store can; null when it is missing. */
export async function digestOf(
  store: ObjectStore,
  key: string,
): Promise<{ sha256: string; bytes: number } | null> {
  const hash = createHash('sha256');
  let bytes = 0;
  if (store.openRead) {
    const stream = await store.openRead(key);
    if (!stream) return null;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.byteLength;
      hash.update(chunk);
    }
  } else {
    const object = await store.get(key);
    if (!object) return null;
    bytes = object.body.byteLength;
    hash.update(object.body);
  }
  return { sha256: hash.digest('hex'), bytes };
}

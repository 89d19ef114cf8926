import { createHash } from 'node:crypto';
import {
  PreconditionFailedError,
  type ObjectStore,
  type PutOptions,
  type StoredObject,
} from '../domain/publish/store.js';

/** In-memory store for unit tests; `conditionalWrites: false` makes it ignore conditions like s3rver does. */
export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  /** Called before every put (tests use it to interleave a concurrent writer). */
  beforePut?: (key: string) => Promise<void> | void;
  /** Called after every put (tests use it to let a concurrent writer win right after us). */
  afterPut?: (key: string) => Promise<void> | void;

  constructor(readonly conditionalWrites = true) {}

  uri(key: string): string {
    return `memory://${key}`;
  }

  async get(key: string): Promise<StoredObject | null> {
    return this.objects.get(key) ?? null;
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<{ etag: string }> {
    await this.beforePut?.(key);
    const existing = this.objects.get(key);
    if (this.conditionalWrites) {
      if (options.ifNoneMatch === '*' && existing) throw new PreconditionFailedError(key);
      if (options.ifMatch !== undefined && existing?.etag !== options.ifMatch)
        throw new PreconditionFailedError(key);
    }
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const etag = `"${createHash('md5').update(buffer).digest('hex')}"`;
    this.objects.set(key, { body: buffer, etag });
    await this.afterPut?.(key);
    return { etag };
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  PreconditionFailedError,
  type ObjectStore,
  type PutOptions,
  type StoredObject,
} from '../domain/publish/store.js';

const LOCK_STALE_MS = 30_000;

/**
 * A directory as an object store (`file:///dir`). Writes go to a temp file, are fsynced and renamed into
 * place, so a reader sees the old or the new object, never a partial one. Conditional writes are enforced
 * with a per-key lock file (O_EXCL) around compare-and-rename; the ETag is the sha256 of the content.
 */
export class FileStore implements ObjectStore {
  readonly conditionalWrites = true;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (path !== this.root && !path.startsWith(this.root + sep))
      throw new Error(`key escapes the store: ${key}`);
    return path;
  }

  uri(key: string): string {
    return pathToFileURL(this.path(key)).href;
  }

  async get(key: string): Promise<StoredObject | null> {
    try {
      const body = await readFile(this.path(key));
      return { body, etag: etagOf(body) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<{ etag: string }> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const conditional = options.ifMatch !== undefined || options.ifNoneMatch !== undefined;
    const release = conditional ? await this.lock(path) : undefined;
    try {
      if (conditional) {
        const current = await this.get(key);
        if (options.ifNoneMatch === '*' && current) throw new PreconditionFailedError(key);
        if (options.ifMatch !== undefined && current?.etag !== options.ifMatch)
          throw new PreconditionFailedError(key);
      }
      const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(buffer);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
      return { etag: etagOf(buffer) };
    } finally {
      await release?.();
    }
  }

  /** Copies a local file into place the same way as `put` (temp file, fsync, rename); never holds it in memory. */
  async putFile(key: string, source: string, bytes: number): Promise<{ etag: string }> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    const hash = createHash('sha256');
    try {
      await copyFile(source, temp);
      const handle = await open(temp, 'r+');
      try {
        const { size } = await handle.stat();
        if (size !== bytes) throw new Error(`${source}: ${size} bytes, expected ${bytes}`);
        for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>)
          hash.update(chunk);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { etag: `"${hash.digest('hex')}"` };
  }

  async openRead(key: string): Promise<Readable | null> {
    const path = this.path(key);
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    return handle ? handle.createReadStream() : null;
  }

  private async lock(path: string): Promise<() => Promise<void>> {
    const lockPath = `${path}.lock`;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.close();
        return () => rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const info = await stat(lockPath).catch(() => null);
        if (info && Date.now() - info.mtimeMs > LOCK_STALE_MS) await rm(lockPath, { force: true });
        if (attempt > 200) throw new Error(`could not lock ${path}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await stat(this.path(key)).catch(() => null)) !== null;
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (!entry.name.includes('.tmp-') && !entry.name.endsWith('.lock')) {
          const key = relative(this.root, full).split(sep).join('/');
          if (key.startsWith(prefix)) out.push(key);
        }
      }
    };
    // Start from the deepest existing directory of the prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(this.path(dirPart || '.'));
    return out.sort();
  }
}

export async function writeLocal(path: string, body: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('hex')}"`;
}

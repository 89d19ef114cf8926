/**
 * An artifact serialized to a file row by row, so that no artifact is ever held in memory: the bytes are
 * those of `canonicalJson` of the sealed document (`collect`), checked by tests.
 *
 * The checksum covers the document without `checksum` and sits before the rows (keys are sorted), and the
 * counts are known only after the last row. So the rows go to a side file as they come; `finish` then hashes
 * head + rows for the checksum (one read of the side file) and writes head + checksum + rows + tail to the
 * artifact file, hashing it for the manifest (a second read).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { canonicalJson } from '../canonical.js';
import { BODY_KEY, type ArtifactHead } from './envelope.js';

/** Bytes buffered before a write (and read per call while copying). */
const IO_CHUNK = 1 << 20;

export interface ArtifactFileDigest {
  /** sha256 and length of the artifact file (what is uploaded). */
  sha256: string;
  bytes: number;
  /** The artifact's own checksum field. */
  checksum: string;
}

export class StreamedArtifactFile {
  /** Rows written so far. */
  rows = 0;
  /** The first row that could not be encoded (a non-finite number), with its index. */
  problem: string | null = null;
  private readonly rowsPath: string;
  private rowsFd: number | null;
  private pending = '';

  constructor(readonly path: string) {
    this.rowsPath = `${path}.rows`;
    this.rowsFd = openSync(this.rowsPath, 'wx');
  }

  /** Appends a row (canonical JSON). A row that cannot be encoded is left out and reported by `problem`. */
  row(row: Record<string, unknown>): void {
    let text: string;
    try {
      text = canonicalJson(row);
    } catch (error) {
      this.problem ??= `row ${this.rows}: ${error instanceof Error ? error.message : String(error)}`;
      this.rows++;
      return;
    }
    this.pending += this.rows++ ? ',' + text : text;
    if (this.pending.length >= IO_CHUNK) this.flush();
  }

  /** Writes the artifact file from `head` and the rows; returns its digest and checksum. */
  finish(head: ArtifactHead): ArtifactFileDigest {
    this.flush();
    closeSync(this.rowsFd!);
    this.rowsFd = null;
    try {
      const { open, close } = frame(head, BODY_KEY[head.artifact_type]);
      const checksumHash = createHash('sha256').update(open(null));
      this.copyRows((chunk) => checksumHash.update(chunk));
      const checksum = checksumHash.update(close).digest('hex');

      const fileHash = createHash('sha256');
      let bytes = 0;
      const fd = openSync(this.path, 'wx');
      try {
        const write = (chunk: Buffer) => {
          fileHash.update(chunk);
          bytes += chunk.byteLength;
          writeAll(fd, chunk);
        };
        write(Buffer.from(open(checksum), 'utf8'));
        this.copyRows(write);
        write(Buffer.from(close, 'utf8'));
      } finally {
        closeSync(fd);
      }
      return { sha256: fileHash.digest('hex'), bytes, checksum };
    } finally {
      rmSync(this.rowsPath, { force: true });
    }
  }

  /** Removes what was written (an artifact left out or refused). */
  discard(): void {
    if (this.rowsFd !== null) closeSync(this.rowsFd);
    this.rowsFd = null;
    rmSync(this.rowsPath, { force: true });
    rmSync(this.path, { force: true });
  }

  private flush(): void {
    if (!this.pending) return;
    const buffer = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    writeAll(this.rowsFd!, buffer);
  }

  private copyRows(sink: (chunk: Buffer) => Hash | void): void {
    const fd = openSync(this.rowsPath, 'r');
    try {
      const buffer = Buffer.allocUnsafe(IO_CHUNK);
      for (;;) {
        const n = readSync(fd, buffer, 0, IO_CHUNK, null);
        if (n === 0) break;
        sink(buffer.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
  }
}

function writeAll(fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.byteLength;)
    offset += writeSync(fd, buffer, offset, buffer.byteLength - offset);
}

/**
 * The canonical text around the rows: `open(checksum)` up to and including the rows' `[` (with the checksum
 * member when given), `close` from the `]` on. Members are in key order, as `canonicalJson` writes them.
 */
function frame(
  head: ArtifactHead,
  body: string,
): { open: (checksum: string | null) => string; close: string } {
  const members = new Map<string, string>();
  for (const [key, value] of Object.entries(head))
    if (value !== undefined && key !== 'checksum' && key !== body)
      members.set(key, JSON.stringify(key) + ':' + canonicalJson(value));
  const keys = [...members.keys(), body, 'checksum'].sort();
  const at = keys.indexOf(body);
  const join = (part: string[], checksum: string | null) =>
    part.flatMap((key) =>
      key !== 'checksum'
        ? [members.get(key)!]
        : checksum === null
          ? []
          : [`"checksum":${JSON.stringify(checksum)}`],
    );
  return {
    open: (checksum) => '{' + [...join(keys.slice(0, at), checksum), JSON.stringify(body) + ':['].join(','),
    // The checksum sorts before every body key ("items", "neighbors", "users"), so it is never after the rows.
    close:
      ']' +
      join(keys.slice(at + 1), null)
        .map((member) => ',' + member)
        .join('') +
      '}',
  };
}

import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped. Non-finite
 * numbers are refused (JSON cannot carry them, and an artifact holding one is corrupt).
 */
export function canonicalJson(value: unknown): string {
  return encode(value);
}

function encode(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`non-finite number ${value} in canonical JSON`);
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i) out += ',';
          const item = value[i];
          out += item === undefined ? 'null' : encode(item);
        }
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(key) + ':' + encode(item);
      }
      return out + '}';
    }
    default:
      throw new Error(`cannot encode ${typeof value} in canonical JSON`);
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Default size of the chunks `writeCanonical` hands to its sink (UTF-16 code units). */
export const CANONICAL_CHUNK = 1 << 16;

/**
 * Canonical JSON of `value`, the same text as `canonicalJson`, handed to `sink` in chunks of about
 * `chunkSize` code units, so a large artifact is hashed or written without ever being one string.
 */
export function writeCanonical(
  value: unknown,
  sink: (chunk: string) => void,
  chunkSize = CANONICAL_CHUNK,
): void {
  const out = { buffer: '' };
  const write = (text: string) => {
    out.buffer += text;
    if (out.buffer.length >= chunkSize) {
      sink(out.buffer);
      out.buffer = '';
    }
  };
  encodeInto(value, write);
  if (out.buffer) sink(out.buffer);
}

function encodeInto(value: unknown, write: (text: string) => void): void {
  if (value === null || typeof value !== 'object') {
    write(encode(value));
    return;
  }
  if (Array.isArray(value)) {
    write('[');
    for (let i = 0; i < value.length; i++) {
      if (i) write(',');
      const item = value[i];
      if (item === undefined) write('null');
      else encodeInto(item, write);
    }
    write(']');
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  write('{');
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    write(first ? JSON.stringify(key) + ':' : ',' + JSON.stringify(key) + ':');
    first = false;
    encodeInto(item, write);
  }
  write('}');
}

/** sha256 and UTF-8 length of `value`'s canonical JSON, computed chunk by chunk. */
export function canonicalDigest(value: unknown): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  let bytes = 0;
  writeCanonical(value, (chunk) => {
    const buffer = Buffer.from(chunk, 'utf8');
    bytes += buffer.byteLength;
    hash.update(buffer);
  });
  return { sha256: hash.digest('hex'), bytes };
}

/** Writes `value`'s canonical JSON to a new file at `path`, chunk by chunk; returns its sha256 and length. */
export function spoolCanonical(value: unknown, path: string): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  let bytes = 0;
  const fd = openSync(path, 'wx');
  try {
    writeCanonical(value, (chunk) => {
      const buffer = Buffer.from(chunk, 'utf8');
      bytes += buffer.byteLength;
      hash.update(buffer);
      for (let offset = 0; offset < buffer.byteLength;)
        offset += writeSync(fd, buffer, offset, buffer.byteLength - offset);
    });
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}

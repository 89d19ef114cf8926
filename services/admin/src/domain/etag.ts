import { createHash } from 'node:crypto';
import { canonicalJson } from '@recsys/contracts-admin';

/** Content address of a document: lowercase hex SHA-256 of its canonical JSON (keys sorted). */
export function documentEtag(document: unknown): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}

/**
 * `If-Match` as the reference reads it: trimmed, surrounding double quotes stripped; undefined when absent or
 * empty (an empty header is "no condition", as Go's Header.Get reads it).
 */
export function parseIfMatch(header: string | undefined): string | undefined {
  const trimmed = header?.trim();
  if (!trimmed) return undefined;
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) return trimmed.slice(1, -1);
  return trimmed;
}

/** True when an `If-None-Match` header (a list of quoted or bare tags, or `*`) names this ETag. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const tag = part.trim().replace(/^W\//, '');
    return tag === '*' || parseIfMatch(tag) === etag;
  });
}

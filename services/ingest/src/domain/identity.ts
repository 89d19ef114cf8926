import { createHash, createHmac } from 'node:crypto';

/**
 * Identifier hashing: with a salt, user / anonymous / session ids are stored as hex HMAC-SHA256(salt, id)
 * (trimmed; an empty id is dropped), as the reference's exposure log does. Without a salt they are stored
 * trimmed but otherwise as given.
 */
export function hashIdentifier(salt: string | undefined, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  if (!salt) return trimmed;
  return createHmac('sha256', salt).update(trimmed).digest('hex');
}

/** JSON with object keys sorted and undefined dropped: the canonical form an event id is derived from. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Deterministic event id of an event that came without one: sha256 over its canonical form. */
export function deriveEventId(kind: string, event: Record<string, unknown>): string {
  return createHash('sha256').update(kind).update('\n').update(canonicalJson(event)).digest('hex');
}

import { createHmac, hash } from 'node:crypto';

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
  return hash('sha256', `${kind}\n${canonicalJson(event)}`, 'hex');
}

/** JSON of each key of a sorted key list, with its colon: the fixed parts of a canonical flat record. */
export function sortedKeys(keys: readonly string[]): readonly (readonly [string, string])[] {
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map((key) => [key, `${JSON.stringify(key)}:`] as const);
}

/**
 * deriveEventId of a flat record whose keys are all among `keys` (from sortedKeys): the same id, without
 * listing and sorting the record's keys for every event.
 */
export function deriveFlatEventId(
  kind: string,
  keys: readonly (readonly [string, string])[],
  event: Record<string, unknown>,
): string {
  let text = `${kind}\n{`;
  let first = true;
  for (const [key, prefix] of keys) {
    const value = event[key];
    if (value === undefined) continue;
    text += `${first ? '' : ','}${prefix}${typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value)}`;
    first = false;
  }
  return hash('sha256', `${text}}`, 'hex');
}

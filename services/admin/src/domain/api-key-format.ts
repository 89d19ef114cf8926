import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** API keys look like `rk_<prefix>_<secret>`: the prefix is visible in listings and locates the row. */
const KEY_PATTERN = /^rk_([0-9a-f]{12})_([A-Za-z0-9_-]{32,128})$/;

export interface GeneratedKey {
  apiKey: string;
  prefix: string;
}

export function generateApiKey(): GeneratedKey {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { apiKey: `rk_${prefix}_${secret}`, prefix };
}

/** The visible prefix of a well-formed key, or undefined. */
export function keyPrefixOf(apiKey: string): string | undefined {
  return KEY_PATTERN.exec(apiKey.trim())?.[1];
}

/** Hex HMAC-SHA256(secret, trimmed key): what is stored; the key itself never is. */
export function hashApiKey(apiKey: string, hashSecret: string): string {
  return createHmac('sha256', hashSecret).update(apiKey.trim()).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function hashesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && ba.length > 0 && timingSafeEqual(ba, bb);
}

/** Keys whose values never reach the audit log. */
const SECRET_KEY = /(secret|password|passwd|token|api_?key|key_hash|authorization|credential|private)/i;

/** A deep copy with the values of secret-looking keys replaced by "[redacted]". */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value))
      out[key] = SECRET_KEY.test(key) ? '[redacted]' : redactSecrets(v);
    return out;
  }
  return value;
}

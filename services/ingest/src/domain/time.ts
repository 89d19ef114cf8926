/**
 * RFC 3339 timestamps normalised to UTC with microsecond precision (what Postgres timestamptz stores), so a
 * stored value, its export and the deterministic event id agree exactly whatever offset or precision the
 * client used.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

export interface Instant {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` */
  iso: string;
  /** UTC day `YYYY-MM-DD` (the partition key). */
  day: string;
  /** Milliseconds since the epoch (truncated). */
  ms: number;
}

export function parseInstant(value: string): Instant | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  }
  const micros = Number((frac + '000000').slice(0, 6));
  const baseMs =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMin * 60_000;
  if (!Number.isFinite(baseMs)) return undefined;
  const ms = baseMs + Math.floor(micros / 1000);
  const date = new Date(baseMs);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = `${date.toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
  return { iso, day: iso.slice(0, 10), ms };
}

/** UTC day of an epoch millisecond value. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day `days` days before the UTC day of `ms`. */
export function daysBefore(ms: number, days: number): string {
  return dayOf(ms - days * 86_400_000);
}

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
  const micros = (frac + '000000').slice(0, 6);
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const baseMs = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s)) - offsetMin * 60_000;
  if (!Number.isFinite(baseMs)) return undefined;
  const ms = baseMs + Math.floor(Number(micros) / 1000);
  // A UTC time whose fields are all in range is already in normal form; anything else (an offset, day 31 of
  // a 30-day month, second 60, …) is normalised through Date.
  const head =
    offsetMin === 0 &&
    year >= 1000 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    h! < '24' &&
    mi! < '60' &&
    s! < '60'
      ? `${y}-${mo}-${d}T${h}:${mi}:${s}`
      : new Date(baseMs).toISOString().slice(0, 19);
  const iso = `${head}.${micros}Z`;
  return { iso, day: iso.slice(0, 10), ms };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** UTC day of an epoch millisecond value. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day `days` days before the UTC day of `ms`. */
export function daysBefore(ms: number, days: number): string {
  return dayOf(ms - days * 86_400_000);
}

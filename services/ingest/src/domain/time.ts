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
  const fast = parseCanonicalUtc(value);
  if (fast) return fast;
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

const ZERO = 48;
const digit = (value: string, i: number): number => {
  const c = value.charCodeAt(i) - ZERO;
  return c >= 0 && c <= 9 ? c : -1;
};
const two = (value: string, i: number): number => {
  const a = digit(value, i);
  const b = digit(value, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
};

/**
 * The common spelling only, `YYYY-MM-DDTHH:MM:SS[.f…]Z` (upper-case `T` and `Z`, year ≥ 1000, every field
 * in range), parsed without a regular expression; undefined for anything else. What it returns is what
 * parseInstant returns for the same text, and every text it accepts is also a valid `Timestamp` of the
 * contracts (RFC 3339 with seconds), so a caller may skip the schema's own check for it.
 */
export function parseCanonicalUtc(value: string): Instant | undefined {
  const length = value.length;
  if (length < 20 || length === 21 || value.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84)
    return undefined;
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return undefined;
  const hi = two(value, 0);
  const lo = two(value, 2);
  const month = two(value, 5);
  const day = two(value, 8);
  const hour = two(value, 11);
  const minute = two(value, 14);
  const second = two(value, 17);
  if (hi < 10 || lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const year = hi * 100 + lo;
  if (day > daysInMonth(year, month)) return undefined;
  let micros = '000000';
  if (length > 20) {
    // `.` and at least one digit before the `Z`
    if (value.charCodeAt(19) !== 46) return undefined;
    for (let i = 20; i < length - 1; i++) if (digit(value, i) < 0) return undefined;
    micros = length >= 27 ? value.slice(20, 26) : (value.slice(20, length - 1) + '000000').slice(0, 6);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(Number(micros) / 1000);
  const iso = `${value.slice(0, 19)}.${micros}Z`;
  return { iso, day: value.slice(0, 10), ms };
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

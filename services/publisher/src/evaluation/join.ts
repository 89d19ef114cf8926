/**
 * Outcome index for joining outcomes to exposures. Outcomes are read first and kept in memory keyed by request id
 * (and, for outcomes without a request id, by subject), then exposures are streamed past the index: memory is
 * bounded by the outcomes (distinct request ids with outcomes + subject-attributed outcomes), never by exposures.
 */
import { readValid } from './jsonl.js';
import { EvalOutcomeLine, type EvalExposure } from './schemas.js';

export interface OutcomeRef {
  item_id: string;
  type: string;
  value: number;
  ts: number;
  surface?: string;
  joined: boolean;
}

export class Window {
  min = Infinity;
  max = -Infinity;
  add(ts: number): void {
    if (ts < this.min) this.min = ts;
    if (ts > this.max) this.max = ts;
  }
  merge(other: Window): void {
    this.add(other.min);
    this.add(other.max);
  }
  toJSON(): { from: string; to: string } | null {
    return Number.isFinite(this.min) ? { from: iso(this.min), to: iso(this.max) } : null;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function subjectKeys(subject: {
  user_id?: string;
  anonymous_id?: string;
  session_id?: string;
}): string[] {
  const keys: string[] = [];
  if (subject.user_id) keys.push(`u:${subject.user_id}`);
  if (subject.anonymous_id) keys.push(`a:${subject.anonymous_id}`);
  if (subject.session_id) keys.push(`s:${subject.session_id}`);
  return keys;
}

export class OutcomeIndex {
  readonly byRequest = new Map<string, OutcomeRef[]>();
  readonly bySubject = new Map<string, OutcomeRef[]>();
  readonly window = new Window();
  outcomes = 0;
  withoutRequestId = 0;
  unattributable = 0;

  constructor(readonly attributionWindowMs: number) {}

  static async load(path: string, attributionWindowMs: number): Promise<OutcomeIndex> {
    const index = new OutcomeIndex(attributionWindowMs);
    for await (const { value } of readValid(path, EvalOutcomeLine, 'outcome', 'outcomes')) {
      const ts = Date.parse(value.occurred_at);
      index.window.add(ts);
      index.outcomes++;
      const ref: OutcomeRef = {
        item_id: value.item_id,
        type: value.type,
        value: value.value ?? 0,
        ts,
        ...(value.surface ? { surface: value.surface } : {}),
        joined: false,
      };
      if (value.request_id) {
        const list = index.byRequest.get(value.request_id);
        if (list) list.push(ref);
        else index.byRequest.set(value.request_id, [ref]);
        continue;
      }
      index.withoutRequestId++;
      const keys = subjectKeys(value);
      if (!keys.length) index.unattributable++;
      for (const key of keys) {
        const list = index.bySubject.get(key);
        if (list) list.push(ref);
        else index.bySubject.set(key, [ref]);
      }
    }
    for (const list of index.bySubject.values()) list.sort((a, b) => a.ts - b.ts);
    return index;
  }

  /**
   * Outcomes attributed to an exposure: those carrying its request id, plus outcomes without a request id of the
   * same subject (user, anonymous or session id) that occurred within the attribution window after the exposure
   * on the same surface (when the outcome names one); with `requireShown`, only those for an item of the exposure.
   * Marks them joined.
   */
  attributed(exposure: EvalExposure, exposureTs: number, requireShown: boolean): OutcomeRef[] {
    const result = [...(this.byRequest.get(exposure.request_id) ?? [])];
    if (this.bySubject.size) {
      const seen = new Set<OutcomeRef>();
      const shown = requireShown ? new Set(exposure.items.map((i) => i.item_id)) : null;
      for (const key of subjectKeys(exposure)) {
        const list = this.bySubject.get(key);
        if (!list) continue;
        // Lists are sorted by time: binary-search the first outcome at or after the exposure.
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (list[mid]!.ts < exposureTs) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; i < list.length && list[i]!.ts <= exposureTs + this.attributionWindowMs; i++) {
          const ref = list[i]!;
          if (seen.has(ref)) continue;
          seen.add(ref);
          if (ref.surface && ref.surface !== exposure.surface) continue;
          if (shown && !shown.has(ref.item_id)) continue;
          result.push(ref);
        }
      }
    }
    for (const ref of result) ref.joined = true;
    return result;
  }

  joinedCount(): number {
    let joined = 0;
    const seen = new Set<OutcomeRef>();
    for (const list of [...this.byRequest.values(), ...this.bySubject.values()]) {
      for (const ref of list) {
        if (seen.has(ref)) continue;
        seen.add(ref);
        if (ref.joined) joined++;
      }
    }
    return joined;
  }
}

/** Items of an exposure in rank order. */
export function rankedItems(exposure: EvalExposure): string[] {
  return [...exposure.items]
    .sort((a, b) => a.rank - b.rank || a.item_id.localeCompare(b.item_id))
    .map((i) => i.item_id);
}

/** `30m`, `24h`, `7d`, `90s` or plain milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

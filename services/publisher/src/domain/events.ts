/**
 * What every input reader yields: interaction events and catalog changes, already normalized (ids trimmed,
 * time in epoch milliseconds). Readers stream these; nothing holds the whole input in memory.
 */
export interface PipelineEvent {
  /** Outcome type: purchase, add_to_cart, click, view, like, … (dismiss is ignored by the builders). */
  type: string;
  itemId: string;
  userId?: string;
  sessionId?: string;
  /** Epoch milliseconds (UTC). */
  at: number;
  quantity?: number;
}

export interface CatalogRecord {
  itemId: string;
  title?: string;
  tags: string[];
  price?: number;
  available: boolean;
  createdAt?: string;
}

export type InputRecord =
  | { kind: 'event'; event: PipelineEvent }
  | { kind: 'catalog'; item: CatalogRecord; at: number }
  | { kind: 'catalog_delete'; itemId: string; at: number };

/** Time window [start, end) in epoch milliseconds. */
export interface Window {
  start: number;
  end: number;
}

export const DAY_MS = 86_400_000;

export function inWindow(at: number, window: Window): boolean {
  return at >= window.start && at < window.end;
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** An input line that is not what the readers accept; carries the line number for the operator. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line !== undefined ? `line ${line}: ${message}` : message);
    this.name = 'InputError';
  }
}

/** A configured limit was exceeded (max items, users, neighbours, memory…): never silently truncated. */
export class LimitError extends Error {
  constructor(
    readonly limit: string,
    message: string,
  ) {
    super(message);
    this.name = 'LimitError';
  }
}

/**
 * Building a snapshot of a million users takes seconds. The builders are generators that yield every SLICE units
 * of work (rows and list entries), so that the caller decides: `runToEnd` builds in one go (tests, tools), while
 * serving's signal store resumes them from `setImmediate`, so requests are answered between slices of a load.
 */

/** Work units between two yields: a few milliseconds. */
export const SLICE = 50_000;

export type Steps<T> = Generator<void, T, void>;

/** Counts work done since the last yield. */
export class WorkBudget {
  private left = SLICE;

  /** Records `units` of work; true when a slice is used up (the caller then yields). */
  spend(units: number): boolean {
    this.left -= units;
    if (this.left > 0) return false;
    this.left = SLICE;
    return true;
  }
}

/** Runs `steps` without pausing and returns what they build. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

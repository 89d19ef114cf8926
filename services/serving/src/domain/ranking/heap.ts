/**
 * Bounded/lazy top-N selection: a binary max-heap built in O(n) and drained one item at a time in
 * (score desc, id asc) order, so taking the best m of n candidates costs O(n + m log n) instead of a full sort.
 */
export interface Scored {
  id: string;
  score: number;
}

/** True when `a` ranks strictly before `b`: higher score, then smaller id. */
export function ranksBefore(a: Scored, b: Scored): boolean {
  return a.score > b.score || (a.score === b.score && a.id < b.id);
}

export class RankHeap<T extends Scored> {
  private readonly items: T[];

  /** Takes ownership of `items` (the array is reordered in place). */
  constructor(items: T[]) {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  get size(): number {
    return this.items.length;
  }

  pop(): T | undefined {
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (n > 1) {
      items[0] = last;
      this.down(0);
    }
    return top;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const x = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && ranksBefore(items[r]!, items[l]!) ? r : l;
      if (!ranksBefore(items[c]!, x)) break;
      items[i] = items[c]!;
      i = c;
    }
    items[i] = x;
  }
}

/** The best `m` of `items` in rank order (does not modify `items`). */
export function topN<T extends Scored>(items: readonly T[], m: number): T[] {
  const heap = new RankHeap([...items]);
  const out: T[] = [];
  while (out.length < m) {
    const next = heap.pop();
    if (next === undefined) break;
    out.push(next);
  }
  return out;
}

/**
 * Groups what callers add during one event-loop turn, per key, and hands each group to `flush` once the turn's
 * I/O callbacks have run (setImmediate): the requests parsed in one turn then cost one downstream call between
 * them instead of one each. A group holds at most `maxPerGroup` items; more start another group of the same turn.
 */
export class TurnBatches<T> {
  private readonly open = new Map<string, T[]>();

  constructor(
    private readonly flush: (key: string, items: T[]) => void,
    private readonly maxPerGroup = Number.POSITIVE_INFINITY,
  ) {}

  add(key: string, item: T): void {
    let items = this.open.get(key);
    if (!items || items.length >= this.maxPerGroup) {
      const group: T[] = [];
      items = group;
      this.open.set(key, group);
      setImmediate(() => {
        if (this.open.get(key) === group) this.open.delete(key);
        this.flush(key, group);
      });
    }
    items.push(item);
  }
}

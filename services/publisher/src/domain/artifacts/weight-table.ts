/**
 * Compact counters for the accumulator: an int32 key → weight map per row, open addressing (linear probing)
 * over two typed arrays, 8 bytes per slot (Int32 key + Float32 weight) or 12 (Float64 weight), load factor at
 * most 0.75. A Map<number, number> holding fractional values costs 45–60 bytes per entry (hash-table entry plus
 * a boxed double); these tables cost 11–21 bytes per entry with float32 weights.
 *
 * Float32 weights are exact for sums of the default pair weights (1 per basket pair, 0.5 per user-window pair)
 * up to 2^24; the decayed user-history scores need float64 (they are rounded to 6 significant digits in the
 * artifact, which float32 accumulation would not preserve).
 */
const EMPTY = -1;

type WeightArray = Float32Array | Float64Array;

export class WeightTable {
  private keysArr: Int32Array;
  private vals: WeightArray;
  private bits: number;
  size = 0;

  /**
   * `fastGrowthBelow`: below this many slots a full table grows 8× instead of 2×. Counters that are pruned at a
   * known size (RowCounters) reach it in two steps instead of six: each step allocates two ArrayBuffers and
   * rehashes, and with hundreds of thousands of rows the allocations and their collection cost more than the
   * counting.
   */
  constructor(
    private readonly wide = false,
    capacity = 4,
    public fastGrowthBelow = 0,
  ) {
    this.bits = Math.max(2, Math.ceil(Math.log2(capacity)));
    this.keysArr = new Int32Array(1 << this.bits).fill(EMPTY);
    this.vals = wide ? new Float64Array(1 << this.bits) : new Float32Array(1 << this.bits);
  }

  /** Slots allocated (memory ≈ capacity × 8 or 12 bytes). */
  get capacity(): number {
    return this.keysArr.length;
  }

  private slot(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** Adds `weight` to `key`'s value; true when the key was new. */
  add(key: number, weight: number): boolean {
    const keys = this.keysArr;
    const mask = keys.length - 1;
    let i = this.slot(key);
    for (;;) {
      const k = keys[i]!;
      if (k === key) {
        this.vals[i]! += weight;
        return false;
      }
      if (k === EMPTY) break;
      i = (i + 1) & mask;
    }
    if ((this.size + 1) * 4 > keys.length * 3) {
      this.resize(keys.length < this.fastGrowthBelow ? keys.length * 8 : keys.length * 2);
      this.insertNew(key, weight);
    } else {
      keys[i] = key;
      this.vals[i] = weight;
      this.size++;
    }
    return true;
  }

  get(key: number): number | undefined {
    const keys = this.keysArr;
    const mask = keys.length - 1;
    let i = this.slot(key);
    for (;;) {
      const k = keys[i]!;
      if (k === key) return this.vals[i]!;
      if (k === EMPTY) return undefined;
      i = (i + 1) & mask;
    }
  }

  private insertNew(key: number, weight: number): void {
    const keys = this.keysArr;
    const mask = keys.length - 1;
    let i = this.slot(key);
    while (keys[i] !== EMPTY) i = (i + 1) & mask;
    keys[i] = key;
    this.vals[i] = weight;
    this.size++;
  }

  private resize(capacity: number): void {
    const oldKeys = this.keysArr;
    const oldVals = this.vals;
    this.bits = Math.max(2, Math.ceil(Math.log2(capacity)));
    this.keysArr = new Int32Array(1 << this.bits).fill(EMPTY);
    this.vals = this.wide ? new Float64Array(1 << this.bits) : new Float32Array(1 << this.bits);
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] !== EMPTY) this.insertNew(oldKeys[i]!, oldVals[i]!);
    }
  }

  /** Rebuilds the table with the fewest slots that hold its entries at load ≤ 0.75, if that is fewer. */
  shrink(): void {
    const capacity = capacityFor(this.size);
    if (capacity < this.keysArr.length) this.resize(capacity);
  }

  forEach(fn: (key: number, weight: number) => void): void {
    const keys = this.keysArr;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) fn(keys[i]!, this.vals[i]!);
  }

  *keys(): IterableIterator<number> {
    const keys = this.keysArr;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) yield keys[i]!;
  }

  *values(): IterableIterator<number> {
    const keys = this.keysArr;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) yield this.vals[i]!;
  }

  *[Symbol.iterator](): IterableIterator<[number, number]> {
    const keys = this.keysArr;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) yield [keys[i]!, this.vals[i]!];
  }

  entries(): IterableIterator<[number, number]> {
    return this[Symbol.iterator]();
  }

  /**
   * Keeps the `keep` entries with the highest `rank(key, weight)` (ties: lower key first) and drops the rest.
   * The table is rebuilt with `capacity` slots (default: the smallest that holds `keep` at load ≤ 0.75), in
   * place when that is its current size, so a table cut back again and again allocates nothing. Selection,
   * not a sort: O(size) per cut. Returns how many entries were dropped.
   */
  prune(keep: number, rank: (key: number, weight: number) => number, capacity = capacityFor(keep)): number {
    if (this.size <= keep) return 0;
    const n = this.size;
    if (scratchKeys.length < n) {
      const grown = 1 << Math.ceil(Math.log2(n));
      scratchKeys = new Int32Array(grown);
      scratchWeights = new Float64Array(grown);
      scratchRanks = new Float64Array(grown);
    }
    const ks = scratchKeys;
    const ws = scratchWeights;
    const rs = scratchRanks;
    let j = 0;
    const keys = this.keysArr;
    const vals = this.vals;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === EMPTY) continue;
      ks[j] = key;
      ws[j] = vals[i]!;
      rs[j] = rank(key, vals[i]!);
      j++;
    }
    selectBest(ks, ws, rs, n, keep);
    if (capacity === keys.length) {
      keys.fill(EMPTY);
    } else {
      this.bits = Math.log2(capacity);
      this.keysArr = new Int32Array(capacity).fill(EMPTY);
      this.vals = this.wide ? new Float64Array(capacity) : new Float32Array(capacity);
    }
    this.size = 0;
    for (let i = 0; i < keep; i++) this.insertNew(ks[i]!, ws[i]!);
    return n - keep;
  }
}

/** Slots a table of `entries` entries needs at load ≤ 0.75 (a power of two, at least 4). */
export function capacityFor(entries: number): number {
  return 1 << Math.max(2, Math.ceil(Math.log2(Math.ceil((entries * 4) / 3) + 1)));
}

// Scratch space for prune, shared by every table (pruning is synchronous, so one set is enough).
let scratchKeys = new Int32Array(256);
let scratchWeights = new Float64Array(256);
let scratchRanks = new Float64Array(256);

/**
 * Quickselect over three parallel arrays: afterwards positions [0, k) hold the k best of the first n entries
 * (higher rank first, ties: lower key), in no particular order. Keys are distinct, so the order is total and
 * the selected set is exactly the one a full sort would keep.
 */
function selectBest(ks: Int32Array, ws: Float64Array, rs: Float64Array, n: number, k: number): void {
  let lo = 0;
  let hi = n - 1;
  const target = k - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const pr = rs[mid]!;
    const pk = ks[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (rs[i]! > pr || (rs[i] === pr && ks[i]! < pk)) i++;
      while (rs[j]! < pr || (rs[j] === pr && ks[j]! > pk)) j--;
      if (i <= j) {
        const k0 = ks[i]!;
        ks[i] = ks[j]!;
        ks[j] = k0;
        const w0 = ws[i]!;
        ws[i] = ws[j]!;
        ws[j] = w0;
        const r0 = rs[i]!;
        rs[i] = rs[j]!;
        rs[j] = r0;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
}

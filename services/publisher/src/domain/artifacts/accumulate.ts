import { createHash, type Hash } from 'node:crypto';
import { capacityFor, WeightTable } from './weight-table.js';
import {
  LimitError,
  type CatalogRecord,
  type InputRecord,
  type PipelineEvent,
  type Window,
} from '../events.js';

/**
 * One streaming pass over the input builds every count the artifact builders need. Memory is bounded by
 * distinct items, users, (user, item) pairs, item pairs and the sessions still open — never by the number
 * of events: baskets are folded into pair counts as soon as their session has been idle for `sessionGapMs`
 * (input is expected in time order, as ingest's export and the Online Retail file are).
 *
 * Counters are compact typed-array tables (./weight-table.ts). Item-pair and transition counters are also held
 * within a budget of entries (`pairBudget`, `transitionBudget`): while the total fits, every count is exact;
 * when it would not, each item keeps only its strongest neighbours — see RowCounters.
 */
export interface AccumulateParams {
  /** The build's logical time: decay is measured back from it. */
  asOf: number;
  window: Window;
  /** Popularity half-life. */
  halfLifeMs: number;
  /** User-history half-life (defaults to halfLifeMs). */
  historyHalfLifeMs?: number;
  /** Weight of each outcome type; types absent here (e.g. dismiss, exposure) are ignored. */
  typeWeights: Record<string, number>;
  /** A session idle this long is closed and its basket counted. */
  sessionGapMs: number;
  /** Baskets larger than this are not paired (counted in `skipped_baskets`): bulk orders are not signal. */
  maxItemsPerSession: number;
  /** Per-user co-visitation: pair each event with the user's previous items within this window. */
  userWindowMs: number;
  userWindowItems: number;
  userWindowWeight: number;
  maxItems: number;
  maxUsers: number;
  /** Item pairs held for co-visitation (hard limit: exit 5 above it). */
  maxPairs: number;
  /**
   * Entries (one per item and neighbour) the co-visitation counters may hold before they are pruned; each
   * item then keeps at least `keepFloor` neighbours. Default 32 M (≈ 0.5 GiB).
   */
  pairBudget?: number;
  /** The same for next-item transitions. Default 16 M. */
  transitionBudget?: number;
  /** Neighbours an item always keeps when counters are pruned (≥ the top-N kept in the artifact, with a margin). */
  keepFloor?: number;
  /**
   * Memory budget of the counters (tables, id maps, open sessions, catalog; see the accounting constants). Above
   * it co-visitation and transition tables are cut harder, down to `minKeep` neighbours per item; if they still
   * do not fit, the run stops with a max_memory limit error. Unset: no budget beyond the entry budgets.
   */
  counterMemoryBytes?: number;
  /** The fewest neighbours per item a memory budget may cut to (the artifact's top-N). Default keepFloor / 2.5. */
  minKeep?: number;
}

export const DEFAULT_PAIR_BUDGET = 32_000_000;
export const DEFAULT_TRANSITION_BUDGET = 16_000_000;
export const DEFAULT_KEEP_FLOOR = 125;

/**
 * One counter table per item (neighbour → weight) under a budget of total entries. While the total stays
 * within the budget nothing is dropped and every count is exact. When it goes over, a per-item cap `keep`
 * is chosen so that the tables, cut at `keep`, hold half the budget (never below `keepFloor`); every larger
 * table is cut to its `keep` highest-ranked entries, and from then on a table that reaches `limit` (the size
 * its pruned arrays hold at load 0.75) is cut back to `keep`. This is lossy counting: an entry that is dropped
 * and seen again restarts from zero, so a neighbour's weight can be under-counted by what it had when it was
 * dropped; a neighbour that stays within an item's `keep` strongest is counted exactly. Ranking is by the
 * score the builder will use (cosine with the neighbour's events so far for co-visitation, the count for
 * transitions), so what is dropped is what would rank lowest. Memory: at most max(budget, items × limit)
 * entries.
 */
export class RowCounters {
  readonly rows: WeightTable[] = [];
  total = 0;
  dropped = 0;
  prunes = 0;
  /** Times the tables were cut to fit a memory budget (see tighten). */
  tightenings = 0;
  /** Bytes the tables hold: their slots plus a fixed overhead per table (see TABLE_OVERHEAD_BYTES). */
  bytes = 0;
  private keep = Infinity;
  private limit = Infinity;
  private nextGlobal: number;
  private floor: number;
  /**
   * With fast growth, tables grow 8× up to the slots of a pruned table (see WeightTable): fewer rehashes where
   * most rows fill up (co-visitation), at the cost of up to 8× the slots where most stay small (transitions).
   */
  private growthBelow: number;
  private readonly slotBytes: number;

  constructor(
    private readonly budget: number,
    keepFloor: number,
    private readonly rank: (key: number, weight: number) => number,
    private readonly wide: boolean,
    fastGrowth: boolean,
  ) {
    this.nextGlobal = budget;
    this.floor = keepFloor;
    this.growthBelow = fastGrowth ? capacityFor(keepFloor) : 0;
    this.slotBytes = slotBytes(wide);
  }

  addRow(): void {
    const table = new WeightTable(this.wide, 4, this.growthBelow);
    this.rows.push(table);
    this.bytes += TABLE_OVERHEAD_BYTES + table.capacity * this.slotBytes;
  }

  /** Adds weight to (row, key); true when the entry is new. */
  add(row: number, key: number, weight: number): boolean {
    const table = this.rows[row]!;
    const capacity = table.capacity;
    if (!table.add(key, weight)) return false;
    this.total++;
    if (table.capacity !== capacity) this.bytes += (table.capacity - capacity) * this.slotBytes;
    if (table.size >= this.limit) this.cut(table, this.keep);
    if (this.total > this.nextGlobal) this.pruneAll();
    return true;
  }

  private cut(table: WeightTable, keep: number, capacity?: number): void {
    const before = table.capacity;
    const dropped = table.prune(keep, this.rank, capacity);
    this.total -= dropped;
    this.dropped += dropped;
    this.bytes += (table.capacity - before) * this.slotBytes;
  }

  private pruneAll(): void {
    this.prunes++;
    const sizes = new Int32Array(this.rows.length);
    let hi = 0;
    for (let i = 0; i < sizes.length; i++) hi = Math.max(hi, (sizes[i] = this.rows[i]!.size));
    const target = Math.floor(this.budget / 2);
    // Largest cap t with Σ min(size, t) ≤ target (binary search; the sum grows with t).
    let lo = 0;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      let sum = 0;
      for (const s of sizes) sum += Math.min(s, mid);
      if (sum <= target) lo = mid;
      else hi = mid - 1;
    }
    this.keep = Math.max(this.floor, Math.min(this.keep, lo));
    this.limit = Math.floor((capacityFor(this.keep) * 3) / 4);
    for (const table of this.rows) if (table.size > this.keep) this.cut(table, this.keep);
    this.nextGlobal = Math.max(this.budget, 2 * this.total);
  }

  /**
   * Cuts the tables to fit `targetBytes` (a memory budget), lowering the per-item cap below the floor if it
   * must, but never below `minKeep`. The unit is a table of C slots (a power of two): large tables are cut to
   * C/2 entries and cut again when they reach 3C/4, small ones are shrunk to the fewest slots that hold them.
   * C is the largest that fits, halved from the current size; the cap stays there for the rest of the run.
   * False when even the smallest C (the one that holds `minKeep`) does not fit; the tables are cut to it anyway.
   */
  tighten(targetBytes: number, minKeep: number): boolean {
    const rows = this.rows;
    const overhead = rows.length * TABLE_OVERHEAD_BYTES;
    const bytesAt = (slots: number): number => {
      let sum = 0;
      for (const table of rows) sum += table.size > slots / 2 ? slots : capacityFor(table.size);
      return overhead + sum * this.slotBytes;
    };
    const smallest = capacityFor(minKeep);
    let slots = Number.isFinite(this.keep) ? capacityFor(this.keep) : capacityFor(this.floor);
    while (slots > smallest && bytesAt(slots) > targetBytes) slots /= 2;
    slots = Math.max(slots, smallest);
    const keep = Math.max(minKeep, slots / 2);
    if (keep < this.keep) {
      this.keep = keep;
      this.limit = Math.floor((slots * 3) / 4);
    }
    this.floor = Math.min(this.floor, this.keep);
    this.growthBelow = Math.min(this.growthBelow, slots);
    for (const table of rows) {
      if (table.size > this.keep) this.cut(table, this.keep, slots);
      else {
        const before = table.capacity;
        table.shrink();
        this.bytes += (table.capacity - before) * this.slotBytes;
      }
      table.fastGrowthBelow = this.growthBelow;
    }
    this.tightenings++;
    return this.bytes <= targetBytes;
  }
}

/**
 * Memory accounting for the counters' budget. Table slots are exact (8 or 12 bytes); the rest are estimates of
 * what V8 holds per object on 64-bit Node: a table's object and its two typed arrays with their buffers; an id's
 * map entry, string and per-item numbers; an open session's object, set and basket; a catalog record.
 */
export const TABLE_OVERHEAD_BYTES = 320;
const ID_BYTES = 128;
const OPEN_SESSION_BYTES = 320;
const CATALOG_RECORD_BYTES = 512;

function slotBytes(wide: boolean): number {
  return wide ? 12 : 8;
}

/**
 * Each user's last `width` events (item, time, session) for the per-user co-visitation window, as ring
 * buffers in flat typed arrays indexed by user: 20 bytes per entry, where an array of small objects holding
 * a timestamp and a session string costs about 100. Sessions are compared by a 53-bit hash of their key.
 */
class UserWindows {
  items = new Int32Array(0);
  at = new Float64Array(0);
  sessions = new Float64Array(0);
  count = new Uint16Array(0);
  head = new Uint16Array(0);

  constructor(readonly width: number) {}

  get bytes(): number {
    return this.count.length * (this.width * 20 + 4);
  }

  push(user: number, item: number, at: number, session: number): void {
    if (user >= this.count.length) this.grow(user + 1);
    const w = this.width;
    const count = this.count[user]!;
    const head = this.head[user]!;
    let slot: number;
    if (count < w) {
      slot = user * w + ((head + count) % w);
      this.count[user] = count + 1;
    } else {
      slot = user * w + head; // the oldest entry is overwritten
      this.head[user] = (head + 1) % w;
    }
    this.items[slot] = item;
    this.at[slot] = at;
    this.sessions[slot] = session;
  }

  private grow(users: number): void {
    const capacity = Math.max(users, this.count.length * 2, 1024);
    const w = this.width;
    const items = new Int32Array(capacity * w);
    items.set(this.items);
    const at = new Float64Array(capacity * w);
    at.set(this.at);
    const sessions = new Float64Array(capacity * w);
    sessions.set(this.sessions);
    const count = new Uint16Array(capacity);
    count.set(this.count);
    const head = new Uint16Array(capacity);
    head.set(this.head);
    Object.assign(this, { items, at, sessions, count, head });
  }

  clear(): void {
    Object.assign(this, {
      items: new Int32Array(0),
      at: new Float64Array(0),
      sessions: new Float64Array(0),
      count: new Uint16Array(0),
      head: new Uint16Array(0),
    });
  }
}

// Previous items already paired with the current event (a window holds at most 65,535 entries).
const pairedScratch = new Int32Array(65_536);

/** Two 32-bit FNV-1a variants combined into 53 bits: distinct session keys of one user never meet in practice. */
function hashKey(key: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) & 0x1fffff);
}

export const DEFAULT_TYPE_WEIGHTS: Record<string, number> = {
  purchase: 1,
  add_to_cart: 0.5,
  like: 0.4,
  click: 0.25,
  view: 0.1,
};

interface OpenSession {
  items: number[];
  seen: Set<number>;
  lastAt: number;
  lastItem: number;
  userIdx: number;
}

export interface Accumulated {
  itemIds: string[];
  /** Weighted event count per item (raw, undecayed). */
  itemCount: number[];
  /** Time-decayed weighted count per item. */
  itemScore: number[];
  /** Events per item (integer). */
  itemEvents: number[];
  userIds: string[];
  /** Per user: item index → decayed weighted count. */
  userItems: WeightTable[];
  /** Per item: neighbour index → co-visitation weight (symmetric while nothing is pruned). */
  pairs: WeightTable[];
  /** Per item: next item index → transition count (within sessions). */
  transitions: WeightTable[];
  /** Per item: all transitions out of it (exact, also when `transitions` was pruned). */
  transitionTotals: number[];
  catalog: Map<string, CatalogRecord>;
  catalogKnown: boolean;
  stats: {
    events: number;
    eventsOutsideWindow: number;
    eventsIgnored: number;
    sessions: number;
    skippedBaskets: number;
    pairEntries: number;
    /** Counter entries dropped by pruning (0: every count is exact). */
    prunedPairs: number;
    prunedTransitions: number;
    /** Highest accounted counter memory during the run, and how often a memory budget cut the tables. */
    counterMemoryPeakBytes: number;
    memoryTightenings: number;
    firstEventAt: number | null;
    lastEventAt: number | null;
  };
  /** sha256 over the accepted events and catalog records, in input order. */
  sourceHash: string;
}

export class Accumulator {
  private readonly itemIndex = new Map<string, number>();
  private readonly userIndex = new Map<string, number>();
  private readonly sessions = new Map<string, OpenSession>();
  private readonly recent: UserWindows;
  private readonly hash: Hash = createHash('sha256');
  private clock = -Infinity;
  private lastSweep = -Infinity;
  private readonly pairCounters: RowCounters;
  private readonly transitionCounters: RowCounters;
  /** Bytes of the per-user history tables (kept up to date as they grow). */
  private userBytes = 0;
  readonly state: Accumulated;

  constructor(private readonly params: AccumulateParams) {
    const floor = params.keepFloor ?? DEFAULT_KEEP_FLOOR;
    this.recent = new UserWindows(Math.max(1, params.userWindowItems));
    const events = () => this.state.itemEvents;
    // Weights that are multiples of 1/1024 sum exactly in float32 (up to 2^24 / 1024 · …); others need float64.
    const dyadic = Number.isInteger(params.userWindowWeight * 1024);
    this.pairCounters = new RowCounters(
      params.pairBudget ?? DEFAULT_PAIR_BUDGET,
      floor,
      (b, w) => w / Math.sqrt(events()[b]!),
      !dyadic,
      true,
    );
    this.transitionCounters = new RowCounters(
      params.transitionBudget ?? DEFAULT_TRANSITION_BUDGET,
      floor,
      (_b, c) => c,
      false,
      false,
    );
    this.state = {
      itemIds: [],
      itemCount: [],
      itemScore: [],
      itemEvents: [],
      userIds: [],
      userItems: [],
      pairs: this.pairCounters.rows,
      transitions: this.transitionCounters.rows,
      transitionTotals: [],
      catalog: new Map(),
      catalogKnown: false,
      stats: {
        events: 0,
        eventsOutsideWindow: 0,
        eventsIgnored: 0,
        sessions: 0,
        skippedBaskets: 0,
        pairEntries: 0,
        prunedPairs: 0,
        prunedTransitions: 0,
        counterMemoryPeakBytes: 0,
        memoryTightenings: 0,
        firstEventAt: null,
        lastEventAt: null,
      },
      sourceHash: '',
    };
  }

  add(record: InputRecord): void {
    if (record.kind === 'event') return this.addEvent(record.event);
    // Catalog changes up to the end of the window count (later ones would leak the future into the build).
    if (record.at >= this.params.window.end) return;
    this.state.catalogKnown = true;
    if (record.kind === 'catalog') {
      this.state.catalog.set(record.item.itemId, record.item);
      this.hash.update(`c|${record.item.itemId}|${record.at}\n`);
    } else {
      this.state.catalog.delete(record.itemId);
      this.hash.update(`d|${record.itemId}|${record.at}\n`);
    }
    this.checkMemory();
  }

  private addEvent(event: PipelineEvent): void {
    const { params, state } = this;
    if (event.at < params.window.start || event.at >= params.window.end) {
      state.stats.eventsOutsideWindow++;
      return;
    }
    const weight = params.typeWeights[event.type];
    if (!weight || weight <= 0) {
      state.stats.eventsIgnored++;
      return;
    }
    state.stats.events++;
    if (state.stats.firstEventAt === null || event.at < state.stats.firstEventAt)
      state.stats.firstEventAt = event.at;
    if (state.stats.lastEventAt === null || event.at > state.stats.lastEventAt)
      state.stats.lastEventAt = event.at;
    this.hash.update(
      `e|${event.type}|${event.itemId}|${event.userId ?? ''}|${event.sessionId ?? ''}|${event.at}\n`,
    );

    const item = this.item(event.itemId);
    const decay = Math.pow(0.5, Math.max(0, params.asOf - event.at) / params.halfLifeMs);
    state.itemCount[item] = state.itemCount[item]! + weight;
    state.itemEvents[item] = state.itemEvents[item]! + 1;
    state.itemScore[item] = state.itemScore[item]! + weight * decay;

    let userIdx = -1;
    if (event.userId) {
      userIdx = this.user(event.userId);
      const items = state.userItems[userIdx]!;
      const historyDecay =
        params.historyHalfLifeMs && params.historyHalfLifeMs !== params.halfLifeMs
          ? Math.pow(0.5, Math.max(0, params.asOf - event.at) / params.historyHalfLifeMs)
          : decay;
      const capacity = items.capacity;
      items.add(item, weight * historyDecay);
      if (items.capacity !== capacity) this.userBytes += (items.capacity - capacity) * slotBytes(true);
    }

    if (event.at > this.clock) this.clock = event.at;
    const sessionKey = event.sessionId
      ? `s:${event.sessionId}`
      : event.userId
        ? `u:${event.userId}`
        : undefined;
    if (sessionKey) this.addToSession(sessionKey, item, event.at, userIdx);
    if (userIdx >= 0 && params.userWindowItems > 0)
      this.pairWithUserWindow(userIdx, item, event.at, sessionKey ?? '');
    if (this.clock - this.lastSweep >= params.sessionGapMs / 4) this.closeIdleSessions();
    this.checkMemory();
  }

  /** The counters' accounted memory: exact for table slots, estimated per object for the rest. */
  memoryBytes(): number {
    const { state } = this;
    return (
      this.pairCounters.bytes +
      this.transitionCounters.bytes +
      this.userBytes +
      this.recent.bytes +
      (state.itemIds.length + state.userIds.length) * ID_BYTES +
      this.sessions.size * OPEN_SESSION_BYTES +
      state.catalog.size * CATALOG_RECORD_BYTES
    );
  }

  /**
   * Holds the counters within `counterMemoryBytes`: when they go over, the co-visitation and transition tables
   * (the only counters that can lose entries without losing an artifact's rows) are cut, in proportion to their
   * size, to leave a quarter of the budget free, so the next cut is far off.
   */
  private checkMemory(): void {
    const used = this.memoryBytes();
    const stats = this.state.stats;
    const budget = this.params.counterMemoryBytes;
    if (budget === undefined || used <= budget) {
      if (used > stats.counterMemoryPeakBytes) stats.counterMemoryPeakBytes = used;
      return;
    }
    const pairs = this.pairCounters;
    const transitions = this.transitionCounters;
    const prunable = pairs.bytes + transitions.bytes;
    const share = Math.max(0, budget * 0.75 - (used - prunable)) / prunable;
    const minKeep = this.params.minKeep ?? Math.ceil((this.params.keepFloor ?? DEFAULT_KEEP_FLOOR) / 2.5);
    pairs.tighten(pairs.bytes * share, minKeep);
    transitions.tighten(transitions.bytes * share, minKeep);
    stats.memoryTightenings++;
    const after = this.memoryBytes();
    if (after > budget) {
      const mib = (n: number) => Math.ceil(n / 2 ** 20);
      throw new LimitError(
        'max_memory',
        `counters need ${mib(after)} MiB with ${minKeep} neighbours per item (${this.state.itemIds.length} items, ${this.state.userIds.length} users), over the ${mib(budget)} MiB budget; raise PUBLISHER_COUNTER_MEMORY_MB or narrow the window`,
      );
    }
    stats.counterMemoryPeakBytes = Math.max(stats.counterMemoryPeakBytes, after);
  }

  private addToSession(key: string, item: number, at: number, userIdx: number): void {
    let session = this.sessions.get(key);
    if (session && at - session.lastAt > this.params.sessionGapMs) {
      this.closeSession(key, session);
      session = undefined;
    }
    if (!session) {
      session = { items: [], seen: new Set(), lastAt: at, lastItem: -1, userIdx };
      this.sessions.set(key, session);
    }
    if (session.lastItem >= 0 && session.lastItem !== item) {
      this.transitionCounters.add(session.lastItem, item, 1);
      this.state.transitionTotals[session.lastItem]!++;
    }
    session.lastItem = item;
    session.lastAt = Math.max(session.lastAt, at);
    if (!session.seen.has(item)) {
      session.seen.add(item);
      session.items.push(item);
    }
  }

  private pairWithUserWindow(userIdx: number, item: number, at: number, session: string): void {
    const { params } = this;
    const windows = this.recent;
    const w = windows.width;
    const base = userIdx * w;
    const count = windows.count[userIdx]!;
    const head = windows.head[userIdx]!;
    const sessionHash = hashKey(session);
    let paired = 0;
    // Oldest first, as the window was filled; each distinct previous item is paired at most once.
    outer: for (let n = 0; n < count; n++) {
      const slot = base + ((head + n) % w);
      const previous = windows.items[slot]!;
      if (previous === item || windows.sessions[slot] === sessionHash) continue;
      for (let p = 0; p < paired; p++) if (pairedScratch[p] === previous) continue outer;
      if (Math.abs(at - windows.at[slot]!) > params.userWindowMs) continue;
      pairedScratch[paired++] = previous;
      this.addPair(item, previous, params.userWindowWeight);
    }
    windows.push(userIdx, item, at, sessionHash);
  }

  private addPair(a: number, b: number, weight: number): void {
    const counters = this.pairCounters;
    counters.add(a, b, weight);
    counters.add(b, a, weight);
    this.checkMaxPairs();
  }

  private checkMaxPairs(): void {
    if (this.pairCounters.total > this.params.maxPairs) {
      throw new LimitError(
        'max_pairs',
        `co-visitation holds more than ${this.params.maxPairs} item pairs; lower the window or raise PUBLISHER_MAX_PAIRS`,
      );
    }
  }

  private closeSession(key: string, session: OpenSession): void {
    this.sessions.delete(key);
    this.state.stats.sessions++;
    const items = session.items;
    if (items.length < 2) return;
    if (items.length > this.params.maxItemsPerSession) {
      this.state.stats.skippedBaskets++;
      return;
    }
    // Row by row (every neighbour of one item, then the next item's): the same counts as pair by pair, but
    // each item's table is visited once per basket instead of once per pair.
    const counters = this.pairCounters;
    for (let i = 0; i < items.length; i++) {
      const row = items[i]!;
      for (let j = 0; j < items.length; j++) if (j !== i) counters.add(row, items[j]!, 1);
      this.checkMaxPairs();
    }
  }

  private closeIdleSessions(): void {
    this.lastSweep = this.clock;
    for (const [key, session] of this.sessions) {
      if (this.clock - session.lastAt > this.params.sessionGapMs) this.closeSession(key, session);
    }
  }

  private item(id: string): number {
    let idx = this.itemIndex.get(id);
    if (idx === undefined) {
      idx = this.state.itemIds.length;
      if (idx >= this.params.maxItems) {
        throw new LimitError(
          'max_items',
          `input has more than ${this.params.maxItems} distinct items; raise --max-items (PUBLISHER_MAX_ITEMS) or narrow the window`,
        );
      }
      this.itemIndex.set(id, idx);
      this.state.itemIds.push(id);
      this.state.itemCount.push(0);
      this.state.itemScore.push(0);
      this.state.itemEvents.push(0);
      this.pairCounters.addRow();
      this.transitionCounters.addRow();
      this.state.transitionTotals.push(0);
    }
    return idx;
  }

  private user(id: string): number {
    let idx = this.userIndex.get(id);
    if (idx === undefined) {
      idx = this.state.userIds.length;
      if (idx >= this.params.maxUsers) {
        throw new LimitError(
          'max_users',
          `input has more than ${this.params.maxUsers} distinct users; raise PUBLISHER_MAX_USERS or narrow the window`,
        );
      }
      this.userIndex.set(id, idx);
      this.state.userIds.push(id);
      const table = new WeightTable(true);
      this.state.userItems.push(table);
      this.userBytes += TABLE_OVERHEAD_BYTES + table.capacity * slotBytes(true);
    }
    return idx;
  }

  /** Closes every open session and returns the totals. */
  finish(): Accumulated {
    for (const [key, session] of [...this.sessions]) this.closeSession(key, session);
    this.checkMemory();
    this.recent.clear();
    this.state.stats.pairEntries = this.pairCounters.total;
    this.state.stats.prunedPairs = this.pairCounters.dropped;
    this.state.stats.prunedTransitions = this.transitionCounters.dropped;
    this.state.sourceHash = this.hash.digest('hex');
    return this.state;
  }
}

/** Feeds a stream of records into a fresh accumulator. `onRecord` is called for progress reporting. */
export async function accumulate(
  records: AsyncIterable<InputRecord>,
  params: AccumulateParams,
  onRecord?: (count: number) => void,
): Promise<Accumulated> {
  const acc = new Accumulator(params);
  let count = 0;
  for await (const record of records) {
    acc.add(record);
    count++;
    if (onRecord && (count & 4095) === 0) onRecord(count);
  }
  onRecord?.(count);
  return acc.finish();
}

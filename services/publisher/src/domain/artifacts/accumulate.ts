import { createHash, type Hash } from 'node:crypto';
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
  /** Item pairs held for co-visitation. */
  maxPairs: number;
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
  userItems: Map<number, number>[];
  /** Per item: neighbour index → co-visitation weight (symmetric). */
  pairs: Map<number, number>[];
  /** Per item: next item index → transition count (within sessions). */
  transitions: Map<number, number>[];
  catalog: Map<string, CatalogRecord>;
  catalogKnown: boolean;
  stats: {
    events: number;
    eventsOutsideWindow: number;
    eventsIgnored: number;
    sessions: number;
    skippedBaskets: number;
    pairEntries: number;
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
  private readonly recent = new Map<number, { item: number; at: number; session: string }[]>();
  private readonly hash: Hash = createHash('sha256');
  private clock = -Infinity;
  private lastSweep = -Infinity;
  readonly state: Accumulated;

  constructor(private readonly params: AccumulateParams) {
    this.state = {
      itemIds: [],
      itemCount: [],
      itemScore: [],
      itemEvents: [],
      userIds: [],
      userItems: [],
      pairs: [],
      transitions: [],
      catalog: new Map(),
      catalogKnown: false,
      stats: {
        events: 0,
        eventsOutsideWindow: 0,
        eventsIgnored: 0,
        sessions: 0,
        skippedBaskets: 0,
        pairEntries: 0,
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
      items.set(item, (items.get(item) ?? 0) + weight * historyDecay);
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
      const next = this.state.transitions[session.lastItem]!;
      next.set(item, (next.get(item) ?? 0) + 1);
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
    let list = this.recent.get(userIdx);
    if (!list) {
      list = [];
      this.recent.set(userIdx, list);
    }
    const seen = new Set<number>();
    for (const previous of list) {
      if (previous.item === item || previous.session === session || seen.has(previous.item)) continue;
      if (Math.abs(at - previous.at) > params.userWindowMs) continue;
      seen.add(previous.item);
      this.addPair(item, previous.item, params.userWindowWeight);
    }
    list.push({ item, at, session });
    if (list.length > params.userWindowItems) list.shift();
  }

  private addPair(a: number, b: number, weight: number): void {
    const pa = this.state.pairs[a]!;
    const before = pa.get(b);
    if (before === undefined) {
      this.state.stats.pairEntries += 2;
      if (this.state.stats.pairEntries > this.params.maxPairs) {
        throw new LimitError(
          'max_pairs',
          `co-visitation holds more than ${this.params.maxPairs} item pairs; lower the window or raise PUBLISHER_MAX_PAIRS`,
        );
      }
    }
    pa.set(b, (before ?? 0) + weight);
    const pb = this.state.pairs[b]!;
    pb.set(a, (pb.get(a) ?? 0) + weight);
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
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) this.addPair(items[i]!, items[j]!, 1);
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
      this.state.pairs.push(new Map());
      this.state.transitions.push(new Map());
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
      this.state.userItems.push(new Map());
    }
    return idx;
  }

  /** Closes every open session and returns the totals. */
  finish(): Accumulated {
    for (const [key, session] of [...this.sessions]) this.closeSession(key, session);
    this.recent.clear();
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

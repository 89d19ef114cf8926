/**
 * Micro-benchmark of the ranking engine (a script, not a test):
 *   pnpm exec tsx src/domain/ranking/bench.ts [items=100000] [neighbours=50] [calls=20000]
 * Builds a synthetic snapshot (items with Zipf popularity, `neighbours` co-visitation, i2i and 20 session
 * neighbours per item, 4 tags per item from a 2,000-tag vocabulary, 20,000 users with 20 history items) and
 * ranks k=20 for several request shapes, reporting µs per call (mean, p50, p99).
 */
import { defaultRankingConfig } from './config.js';
import { rank } from './rank.js';
import { similar } from './similar.js';
import type { CatalogItem, Neighbour, RankingInput, RecentInteraction, SignalSnapshot } from './types.js';
import { byScoreThenId } from './snapshot.js';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';

/** Deterministic PRNG (mulberry32) so runs are comparable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticSnapshot(nItems: number, nNeighbours: number, nUsers = 20000): SignalSnapshot {
  const rnd = prng(42);
  const ids = Array.from({ length: nItems }, (_, i) => `item-${i}`);
  /** Zipf-ish pick: popular items are picked more often. */
  const pick = (): string => ids[Math.min(nItems - 1, Math.floor(nItems * Math.pow(rnd(), 3)))]!;
  const popularity = new Map<string, number>();
  ids.forEach((id, i) => popularity.set(id, 1000 / (i + 1)));
  const neighbours = (n: number): Map<string, Neighbour[]> => {
    const m = new Map<string, Neighbour[]>();
    for (const id of ids) {
      const seen = new Set<string>([id]);
      const list: Neighbour[] = [];
      while (list.length < n) {
        const nb = pick();
        if (seen.has(nb)) continue;
        seen.add(nb);
        list.push({ itemId: nb, score: rnd() });
      }
      m.set(id, list.sort(byScoreThenId));
    }
    return m;
  };
  const catalog = new Map<string, CatalogItem>();
  const tagIndex = new Map<string, string[]>();
  for (const id of ids) {
    const tags = new Set<string>();
    while (tags.size < 4) tags.add(`tag-${Math.floor(Math.pow(rnd(), 2) * 2000)}`);
    catalog.set(id, { itemId: id, tags: [...tags], available: rnd() > 0.01 });
    for (const t of tags) {
      let l = tagIndex.get(t);
      if (!l) tagIndex.set(t, (l = []));
      l.push(id); // ids are generated in popularity order, so lists are popularity-ordered
    }
  }
  const userHistory = new Map<string, Neighbour[]>();
  for (let u = 0; u < nUsers; u++) {
    const h = new Map<string, number>();
    while (h.size < 20) h.set(pick(), 1 + Math.floor(rnd() * 5));
    userHistory.set(`user-${u}`, [...h].map(([itemId, score]) => ({ itemId, score })).sort(byScoreThenId));
  }
  return {
    tenantId: 'bench',
    surface: 'home',
    segment: 'default',
    version: 'synthetic',
    popularity,
    popularityRanked: ids,
    cooc: neighbours(nNeighbours),
    i2i: neighbours(nNeighbours),
    sessionNext: neighbours(20),
    userHistory,
    catalog,
    tagIndex,
    approxBytes: 0,
  };
}

function measure(label: string, calls: number, run: (i: number) => unknown): void {
  for (let i = 0; i < Math.min(1000, calls); i++) run(i);
  const times = new Float64Array(calls);
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    run(i);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const total = Number(process.hrtime.bigint() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  times.sort();
  const q = (p: number): string => times[Math.min(calls - 1, Math.floor(p * calls))]!.toFixed(1);
  console.log(
    `${label.padEnd(48)} wall mean ${(total / calls).toFixed(1).padStart(7)} µs  p50 ${q(0.5).padStart(7)}  ` +
      `p99 ${q(0.99).padStart(8)}  cpu ${((cpu.user + cpu.system) / calls).toFixed(1).padStart(7)} µs/call`,
  );
}

/** A fixed workload (5,000 Map inserts of fresh objects) to put the figures in context of the machine's load. */
function calibrate(): void {
  const reps = 200;
  const t0 = process.hrtime.bigint();
  let size = 0;
  for (let r = 0; r < reps; r++) {
    const m = new Map<string, { a: number }>();
    for (let i = 0; i < 5000; i++) m.set(`k${(i * 7) % 5000}`, { a: i });
    size += m.size;
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000 / reps;
  console.log(
    `calibration: 5,000 Map inserts take ${us.toFixed(0)} µs here (${size / reps} keys); load ${JSON.stringify(loadavg())}`,
  );
}

function main(): void {
  const [nItems = 100000, nNeighbours = 50, calls = 20000] = process.argv.slice(2).map(Number);
  calibrate();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  const snapshot = syntheticSnapshot(nItems, nNeighbours);
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(
    `snapshot: ${nItems} items, ${nNeighbours} cooc + ${nNeighbours} i2i + 20 session neighbours/item, ` +
      `${snapshot.userHistory.size} users; built in ${Date.now() - t0} ms; heap +${((heapAfter - heapBefore) / 2 ** 20).toFixed(0)} MiB`,
  );
  const config = defaultRankingConfig();
  const base = (i: number, over: Partial<RankingInput['request']> = {}): RankingInput => ({
    snapshot,
    recent: [],
    request: {
      surface: 'home',
      segment: 'default',
      k: 20,
      subjectId: `user-${i % 20000}`,
      anchors: [],
      includeIds: [],
      excludeIds: [],
      requiredTags: [],
      forbiddenTags: [],
      maxPerTag: {},
      includeReasons: true,
      explain: 'none',
      includeTrace: false,
      ...over,
    },
    config,
    rules: [],
    now: 0,
  });
  const recent = (i: number): RecentInteraction[] =>
    Array.from({ length: 10 }, (_, j) => ({
      itemId: `item-${(i * 7919 + j * 104729) % nItems}`,
      type: j % 3 ? 'view' : 'purchase',
      at: 10 - j,
    }));

  measure('known user (20 history items), default blend', calls, (i) => rank(base(i)));
  measure('known user + 10 recent interactions', calls, (i) => ({
    ...rank({ ...base(i), recent: recent(i) }),
  }));
  measure('known user + recent + anchor + rules + explain', calls, (i) =>
    rank({
      ...base(i, { anchors: [`item-${i % nItems}`], explain: 'full' }),
      recent: recent(i),
      rules: [
        { id: 'p', action: 'pin', targetType: 'item', itemIds: ['item-5'], priority: 1, enabled: true },
        {
          id: 'b',
          action: 'boost',
          targetType: 'tag',
          targetKey: 'tag-1',
          itemIds: [],
          priority: 0,
          boostValue: 0.2,
          enabled: true,
        },
      ],
    }),
  );
  measure('known user, forbidden tag + max_per_tag', calls, (i) =>
    rank(base(i, { forbiddenTags: ['tag-0'], maxPerTag: { 'tag-1': 2 } })),
  );
  measure('known user, MMR λ=0.7', calls, (i) => rank({ ...base(i), config: { ...config, mmrLambda: 0.7 } }));
  measure('cold user (popularity only)', calls, (i) => rank(base(i, { subjectId: `nobody-${i}` })));
  measure('similar k=20', calls, (i) =>
    similar({ snapshot, itemId: `item-${i % nItems}`, k: 20, includeReasons: true, excludeIds: [] }),
  );
  calibrate();
}

// Runs only when executed directly (importing the module, e.g. for syntheticSnapshot, does not start it).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();

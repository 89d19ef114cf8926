import { DAY_MS, type InputRecord } from '../src/domain/events.js';

/**
 * A synthetic purchase log shaped like the Online Retail training window, scaled by `scale`: users, items and
 * baskets grow by the factor; basket size, baskets per user, the long-tailed item popularity and the users'
 * category preferences stay the same. Records are generated in time order as a stream (nothing is held).
 */
export interface ShapeOptions {
  scale: number;
  seed?: number;
  /** Shape of the 1× set (measured on the Online Retail training window). */
  users?: number;
  items?: number;
  baskets?: number;
  meanBasket?: number;
  days?: number;
  start?: number;
}

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0..n−1 with P(r) ∝ 1/(r+1)^s via the inverse of the continuous approximation. */
function zipf(random: () => number, n: number, s = 1.05): number {
  const u = random();
  const a = 1 - s;
  const max = (Math.pow(n + 1, a) - 1) / a;
  const x = Math.pow(u * max * a + 1, 1 / a) - 1;
  return Math.min(n - 1, Math.max(0, Math.floor(x)));
}

export async function* syntheticRetail(options: ShapeOptions): AsyncGenerator<InputRecord> {
  const random = rng(options.seed ?? 42);
  const users = Math.round((options.users ?? 3908) * options.scale);
  const items = Math.round((options.items ?? 3607) * options.scale);
  const baskets = Math.round((options.baskets ?? 14680) * options.scale);
  const meanBasket = options.meanBasket ?? 20.8;
  const days = options.days ?? 343;
  const start = options.start ?? Date.parse('2010-12-01T00:00:00Z');
  const categorySize = 50;
  const categories = Math.max(1, Math.ceil(items / categorySize));
  // Item ids are permuted so popularity rank and category are independent.
  const itemId = (rank: number) => `S${((rank * 7919) % items).toString(36).toUpperCase()}`;
  for (let i = 0; i < items; i++) {
    yield {
      kind: 'catalog',
      at: start,
      item: { itemId: itemId(i), tags: [`cat${i % categories}`], available: true, title: `Item ${i}` },
    };
  }
  const userCats = (u: number) => [(u * 31) % categories, (u * 17 + 5) % categories];
  let basket = 0;
  for (let day = 0; day < days; day++) {
    const todays = Math.round(((day + 1) * baskets) / days) - Math.round((day * baskets) / days);
    for (let b = 0; b < todays; b++, basket++) {
      const user = zipf(random, users, 0.6);
      const at = start + day * DAY_MS + Math.floor((b / Math.max(1, todays)) * DAY_MS);
      // Geometric-ish basket size with the measured mean.
      const size = Math.max(1, Math.round(-Math.log(1 - random()) * meanBasket));
      const cats = userCats(user);
      for (let j = 0; j < size; j++) {
        let rank: number;
        if (random() < 0.7) {
          const cat = cats[random() < 0.6 ? 0 : 1]!;
          rank = (cat + categories * zipf(random, categorySize, 0.9)) % items;
        } else rank = zipf(random, items);
        yield {
          kind: 'event',
          event: {
            type: 'purchase',
            itemId: itemId(rank),
            userId: `U${user}`,
            sessionId: `B${basket}`,
            at,
            quantity: 1,
          },
        };
      }
    }
  }
}

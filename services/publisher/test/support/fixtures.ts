import { writeFileSync } from 'node:fs';

export const DAY = 86_400_000;
export const START = Date.parse('2026-03-01T00:00:00Z');

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

export interface FixtureOptions {
  days: number;
  users: number;
  clusters: number;
  itemsPerCluster: number;
  /** Days (from the start) whose purchases ignore the clusters (random items): a model trained on them is bad. */
  noiseDays?: (day: number) => boolean;
  /** Extra lines appended (e.g. an outcome for an item the catalog does not know). */
  extra?: Record<string, unknown>[];
  seed?: number;
  withCatalog?: boolean;
}

/**
 * Lines in ingest's export format: a catalog (items tagged with their cluster), then per user and day one
 * session of three purchases from the user's cluster. Users stick to their cluster, so co-visitation, EASE
 * and history predict the held-out day well; noise days break that.
 */
export function exportLines(options: FixtureOptions): Record<string, unknown>[] {
  const random = rng(options.seed ?? 1);
  const lines: Record<string, unknown>[] = [];
  const items = (c: number) => Array.from({ length: options.itemsPerCluster }, (_, i) => `c${c}-i${i}`);
  let n = 0;
  if (options.withCatalog !== false) {
    for (let c = 0; c < options.clusters; c++) {
      for (const item of items(c)) {
        lines.push({
          kind: 'catalog.upsert',
          event_id: `cat-${item}`,
          tenant_id: 'acme',
          item: { item_id: item, title: `Item ${item}`, tags: [`cluster-${c}`], price: 10, available: true },
          occurred_at: new Date(START).toISOString(),
        });
      }
    }
  }
  const events: Record<string, unknown>[] = [];
  for (let day = 0; day < options.days; day++) {
    for (let u = 0; u < options.users; u++) {
      const cluster = u % options.clusters;
      const noise = options.noiseDays?.(day) ?? false;
      const at = START + day * DAY + 3_600_000 + u * 1000;
      for (let j = 0; j < 3; j++) {
        const c = noise ? Math.floor(random() * options.clusters) : cluster;
        // Users favour the first items of their cluster (a stable, learnable preference).
        const i = Math.min(
          options.itemsPerCluster - 1,
          Math.floor(random() * random() * options.itemsPerCluster),
        );
        events.push({
          kind: 'outcome',
          event_id: `e${n++}`,
          tenant_id: 'acme',
          type: 'purchase',
          item_id: `c${c}-i${i}`,
          user_id: `u${u}`,
          session_id: `u${u}-d${day}`,
          occurred_at: new Date(at + j).toISOString(),
        });
      }
    }
  }
  return [...lines, ...events, ...(options.extra ?? [])].map((line, i) => ({ ...line, cursor: `c${i}` }));
}

export function writeJsonl(path: string, lines: Record<string, unknown>[]): string {
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path;
}

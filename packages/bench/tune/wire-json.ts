/**
 * What writing a ranking response and its exposure costs, per request: JSON.stringify of both against
 * serving's wire-json writers (services/serving/dist/wire-json.js), on 20-item bodies shaped like the bench's,
 * with the text encoded as the socket write does (Buffer.byteLength + Buffer.from). Also the cost of one
 * non-integer score formatted by String() against the same numbers formatted by one JSON.stringify of an array.
 * Alternating rounds, medians.
 *
 *   cd packages/bench && node --conditions=source --import tsx tune/wire-json.ts [rounds=9]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@recsys/devstack/stack';
import type { ExposureEvent, RecommendResponse } from '../../contracts-serving/src/index.js';

type WireJson = {
  servedJson: (
    body: RecommendResponse,
    exposure: ExposureEvent | undefined,
  ) => { response: string; exposure?: string };
};

const BODIES = 512;
const PER_ROUND = 20_000;

function bodies(): { body: RecommendResponse; exposure: ExposureEvent }[] {
  return Array.from({ length: BODIES }, (_, n) => {
    const items = Array.from({ length: 20 }, (_, i) => ({
      item_id: `${85_000 + Math.floor(Math.random() * 5000)}A`,
      rank: i + 1,
      score: Math.random() * 2,
    }));
    const body = {
      items,
      meta: {
        tenant_id: 'retail',
        surface: 'home',
        segment: 'default',
        algo_version: 'recsys-algo@1',
        config_version: 'c1',
        request_id: `req-${n}`,
        counts: { returned: 20 },
        signal_version: 'v2026-12-07',
      },
    } as RecommendResponse;
    const exposure: ExposureEvent = {
      v: 1,
      event_id: `req-${n}:recommend`,
      request_id: `req-${n}`,
      tenant_id: 'retail',
      surface: 'home',
      segment: 'default',
      endpoint: 'recommend',
      user_id: `u${n}`,
      occurred_at: new Date().toISOString(),
      items: items.map((i) => ({ item_id: i.item_id, rank: i.rank, score: i.score })),
      algo_version: 'recsys-algo@1',
      signal_version: 'v2026-12-07',
    };
    return { body, exposure };
  });
}

function micros(run: (n: number) => number, count: number): number {
  const started = performance.now();
  let sink = 0;
  for (let n = 0; n < count; n++) sink += run(n);
  if (sink < 0) console.log(sink);
  return ((performance.now() - started) * 1000) / count;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 9);
  const wire = (await import(
    pathToFileURL(join(repoRoot, 'services/serving/dist/wire-json.js')).href
  )) as WireJson;
  const data = bodies();
  const encode = (text: string): number => Buffer.byteLength(text) + Buffer.from(text).length;
  const variants: Record<string, (n: number) => number> = {
    'JSON.stringify, response + exposure': (n) => {
      const { body, exposure } = data[n % BODIES]!;
      return encode(JSON.stringify(body)) + encode(JSON.stringify(exposure));
    },
    'servedJson, response + exposure': (n) => {
      const { body, exposure } = data[n % BODIES]!;
      const json = wire.servedJson(body, exposure);
      return encode(json.response) + encode(json.exposure!);
    },
    'String(score), 20 scores': (n) => {
      const items = data[n % BODIES]!.body.items;
      let length = 0;
      for (const item of items) length += String(item.score).length;
      return length;
    },
    'JSON.stringify([scores]), 20 scores': (n) => {
      const items = data[n % BODIES]!.body.items;
      return JSON.stringify(items.map((i) => i.score)).length;
    },
  };
  const results = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++)
    for (const [name, run] of Object.entries(variants)) results.get(name)!.push(micros(run, PER_ROUND));
  console.log(`µs per request, medians of ${rounds} rounds of ${PER_ROUND}:`);
  for (const [name, xs] of results) console.log(`  ${median(xs).toFixed(2).padStart(6)}  ${name}`);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

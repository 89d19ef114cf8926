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
import { alternatingRounds, type TimedVariant } from './rank-inputs.js';

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

/** PER_ROUND calls of `run`, whose results are summed so that none of the work can be optimized away. */
function timed(name: string, run: (n: number) => number): TimedVariant {
  return {
    name,
    calls: PER_ROUND,
    run: () => {
      let sink = 0;
      for (let n = 0; n < PER_ROUND; n++) sink += run(n);
      if (sink < 0) console.log(sink);
    },
  };
}

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
    // Scores scaled by a per-call factor: a served score is new every time, and V8 caches the text of numbers
    // String() has formatted lately, which repeated scores would hit.
    'String(score), 20 scores': (n) => {
      const items = data[n % BODIES]!.body.items;
      const fresh = 1 + n * 1e-9;
      let length = 0;
      for (const item of items) length += String(item.score * fresh).length;
      return length;
    },
    'JSON.stringify([scores]), 20 scores': (n) => {
      const items = data[n % BODIES]!.body.items;
      const fresh = 1 + n * 1e-9;
      return JSON.stringify(items.map((i) => i.score * fresh)).length;
    },
  };
  const results = alternatingRounds(
    Object.entries(variants).map(([name, run]) => timed(name, run)),
    rounds,
  );
  console.log(`µs per request, medians of ${rounds} rounds of ${PER_ROUND}:`);
  for (const { name, median } of results) console.log(`  ${median.toFixed(2).padStart(6)}  ${name}`);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

import type { ExposureEvent, RecommendResponse } from '@recsys/contracts-serving';
import { prng } from './domain/ranking/bench.js';
import { exposureJson, recommendResponseJson, servedJson } from './wire-json.js';

const rnd = prng(5);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
// Plain ids, and ones JSON must escape: quotes, backslashes, control characters, non-ASCII, lone surrogates.
const PIECES = [
  '85123A',
  'sku-1',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0001',
  '\u007f',
  'é',
  '☃',
  '😀',
  '\ud800',
  '\udfff',
  ' ',
];
const text = (): string => Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(PIECES)).join('');
const NUMBERS = [0, -0, 1, 0.1, 1 / 3, 2 / 3 - 1e-9, 1e21, 1e-7, 123456789.125, -4.5, Number.NaN, Infinity];
const number = (): number => (rnd() < 0.5 ? pick(NUMBERS) : rnd());
const maybe = <T>(make: () => T): T | undefined => (rnd() < 0.5 ? make() : undefined);

/** `plain`: items with neither reasons nor explain, as most requests have them. */
function responseBody(plain = false): RecommendResponse {
  const items = Array.from({ length: Math.floor(rnd() * 25) }, (_, i) => {
    const reasons = plain ? undefined : maybe(() => Array.from({ length: Math.floor(rnd() * 3) }, text));
    const explain = plain ? undefined : maybe(() => ({ pop: number(), emb: number(), note: text() }));
    return {
      item_id: text(),
      rank: i + 1,
      score: number(),
      ...(reasons ? { reasons } : {}),
      ...(explain ? { explain } : {}),
    };
  });
  const warnings = maybe(() => [{ code: 'DEFAULT_APPLIED', detail: text() }]);
  return {
    items,
    meta: { tenant_id: text(), surface: text(), segment: 'default', algo_version: 'a', request_id: text() },
    ...(warnings ? { warnings } : {}),
  } as RecommendResponse;
}

function exposure(): ExposureEvent {
  return {
    v: 1,
    event_id: `${text()}:recommend`,
    request_id: text(),
    tenant_id: text(),
    surface: text(),
    segment: 'default',
    endpoint: 'recommend',
    ...(rnd() < 0.5 ? { user_id: text() } : {}),
    occurred_at: '2026-12-07T08:00:00.000Z',
    items: Array.from({ length: Math.floor(rnd() * 25) }, (_, i) => ({
      item_id: text(),
      rank: i + 1,
      score: number(),
      ...(rnd() < 0.2 ? { propensity: rnd() } : {}),
    })),
    algo_version: 'a',
    ...(rnd() < 0.5 ? { signal_version: text() } : {}),
  };
}

describe('wire JSON', () => {
  it('when a response is serialized, then the text is exactly JSON.stringify’s', () => {
    for (let n = 0; n < 500; n++) {
      const body = responseBody();
      expect(recommendResponseJson(body)).toBe(JSON.stringify(body));
    }
  });

  it('when an exposure is serialized, then it is JSON.stringify’s text with items last', () => {
    for (let n = 0; n < 500; n++) {
      const event = exposure();
      const { items, ...rest } = event;
      const json = exposureJson(event);
      expect(json).toBe(JSON.stringify({ ...rest, items }));
      expect(json).not.toMatch(/[\t\n]/); // packed stream lines (StreamProducer.publishPacked)
    }
  });

  it('when a response and its exposure are written together, then each text is what its own writer gives', () => {
    let shared = 0;
    for (let n = 0; n < 500; n++) {
      const body = responseBody(rnd() < 0.5);
      // As serve.ts builds it: the response's items, or (a third of the time) a list of its own.
      const event =
        rnd() < 0.67
          ? {
              ...exposure(),
              items: body.items.map((i) => ({ item_id: i.item_id, rank: i.rank, score: i.score })),
            }
          : exposure();
      const json = servedJson(body, event);
      expect(json.response).toBe(recommendResponseJson(body));
      expect(json.exposure).toBe(exposureJson(event));
      if (body.items.every((i) => !i.reasons && !i.explain) && event.items.length === body.items.length)
        shared++;
    }
    expect(shared).toBeGreaterThan(100); // the shared-text path was taken
    expect(servedJson(responseBody(), undefined).exposure).toBeUndefined();
  });
});

import type { ExposureEvent, RecommendResponse } from '@recsys/contracts-serving';

/**
 * JSON text of the two shapes every ranking request writes: its response and its exposure. Writing the item
 * lists field by field, once for both when they match, takes about three quarters of what JSON.stringify of
 * both does (docs/benchmarks.md, "Runs of 2026-12-07, afternoon"). Everything around the item lists still goes
 * through JSON.stringify. The text parses to the same value as JSON.stringify's; the response's is byte for
 * byte the same (items is its first field), the exposure's has `items` moved to the end.
 */

/** Printable ASCII other than `"` and `\`: written as is; anything else is JSON.stringify's to escape. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

function stringList(list: readonly string[]): string {
  let out = '[';
  for (let j = 0; j < list.length; j++) out += (j > 0 ? ',' : '') + jsonString(list[j]!);
  return `${out}]`;
}

type Item = RecommendResponse['items'][number];
type ExposureItem = ExposureEvent['items'][number];

/** The fields both item shapes open with, in their contract order; `score` is the score's JSON text. */
function itemHead(item: { item_id: string; rank: number }, score: string): string {
  return `{"item_id":${jsonString(item.item_id)},"rank":${jsonNumber(item.rank)},"score":${score}`;
}

const scoreList: number[] = [];

/**
 * The items' scores as one JSON array text, read back one number at a time: JSON.stringify formats a
 * non-integer number in about half the time String() takes (docs/benchmarks.md, same section).
 */
class ScoreTexts {
  private readonly text: string;
  private from = 1;

  constructor(items: readonly { score: number }[]) {
    scoreList.length = items.length;
    for (let i = 0; i < items.length; i++) scoreList[i] = items[i]!.score;
    this.text = JSON.stringify(scoreList);
  }

  next(): string {
    let to = this.text.indexOf(',', this.from);
    if (to < 0) to = this.text.length - 1;
    const score = this.text.slice(this.from, to);
    this.from = to + 1;
    return score;
  }
}

function responseItems(items: readonly Item[]): string {
  const scores = new ScoreTexts(items);
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    out += (i > 0 ? ',' : '') + itemHead(item, scores.next());
    if (item.reasons !== undefined) out += `,"reasons":${stringList(item.reasons)}`;
    if (item.explain !== undefined) out += `,"explain":${JSON.stringify(item.explain)}`;
    out += '}';
  }
  return `${out}]`;
}

function exposureItems(items: readonly ExposureItem[]): string {
  const scores = new ScoreTexts(items);
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    out += (i > 0 ? ',' : '') + itemHead(item, scores.next());
    if (item.propensity !== undefined) out += `,"propensity":${jsonNumber(item.propensity)}`;
    out += '}';
  }
  return `${out}]`;
}

/** `JSON.stringify(body)`, for a body whose first field is `items` (as serve.ts builds it). */
export function recommendResponseJson(body: RecommendResponse): string {
  return responseWithItems(body, responseItems(body.items));
}

/** The exposure as JSON, `items` last. */
export function exposureJson(event: ExposureEvent): string {
  return exposureWithItems(event, exposureItems(event.items));
}

/**
 * A served response and its exposure, as the two functions above write them. When the exposure lists the
 * response's items with nothing more (the common request: no reasons, explain or propensity), both share one
 * item list text: formatting a non-integer score costs ~0.3 µs, the bulk of an item's text.
 */
export function servedJson(
  body: RecommendResponse,
  exposure: ExposureEvent | undefined,
): { response: string; exposure?: string } {
  const items = responseItems(body.items);
  const response = responseWithItems(body, items);
  if (!exposure) return { response };
  const shared = sameItemHeads(body.items, exposure.items);
  return { response, exposure: exposureWithItems(exposure, shared ? items : exposureItems(exposure.items)) };
}

function responseWithItems(body: RecommendResponse, itemsJson: string): string {
  const { items: _items, ...rest } = body;
  const tail = JSON.stringify(rest);
  return `{"items":${itemsJson}${tail.length > 2 ? `,${tail.slice(1)}` : '}'}`;
}

function exposureWithItems(event: ExposureEvent, itemsJson: string): string {
  const { items: _items, ...rest } = event;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"items":${itemsJson}}`;
}

/** Whether both lists write exactly `{item_id, rank, score}` per item, with the same values. */
function sameItemHeads(items: readonly Item[], exposed: readonly ExposureItem[]): boolean {
  if (items.length !== exposed.length) return false;
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    const b = exposed[i]!;
    if (a.reasons !== undefined || a.explain !== undefined || b.propensity !== undefined) return false;
    if (a.item_id !== b.item_id || a.rank !== b.rank || !Object.is(a.score, b.score)) return false;
  }
  return true;
}

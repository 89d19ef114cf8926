import type { Neighbour } from './types.js';

/** The order of every neighbour and history list: score desc, then item id asc. */
export function byScoreThenId(a: Neighbour, b: Neighbour): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0;
}

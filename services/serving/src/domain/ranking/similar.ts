/**
 * /v1/similar: neighbours of one item. Pure and deterministic.
 *
 * Sources: the learned item-to-item model first, then co-visitation. Each source is max-normalized over this
 * item's list; score = i2i_norm + SIMILAR_COOC_WEIGHT × cooc_norm, so the learned model leads and co-visitation
 * adds evidence and fills the list. Order: score desc, item id asc. The item itself, excluded ids and
 * unavailable catalog items are removed. No rules, no blending with popularity (reference §1.8).
 */
import { ranksBefore } from './heap.js';
import { MAX_K, DEFAULT_K } from './rank.js';
import type { Neighbour, RankedItem, RankingResult, SimilarInput } from './types.js';

export const SIMILAR_COOC_WEIGHT = 0.5;

interface Entry {
  id: string;
  score: number;
  i2i: boolean;
  cooc: boolean;
}

function maxScore(list: readonly Neighbour[]): number {
  let m = 0;
  for (const n of list) if (n.score > m) m = n.score;
  return m;
}

export function similar(input: SimilarInput): RankingResult {
  const { snapshot } = input;
  const k = Number.isFinite(input.k) && input.k > 0 ? Math.min(MAX_K, Math.floor(input.k)) : DEFAULT_K;
  if (!snapshot || (snapshot.i2i.size === 0 && snapshot.cooc.size === 0)) {
    return {
      items: [],
      warnings: [{ code: 'SIGNAL_UNAVAILABLE', detail: 'similarity signals unavailable' }],
      model: 'similar_v1',
    };
  }
  const itemId = input.itemId.trim();
  const exclude = new Set(input.excludeIds.map((s) => s.trim()));
  const entries = new Map<string, Entry>();
  const add = (list: readonly Neighbour[] | undefined, weight: number, field: 'i2i' | 'cooc'): void => {
    if (!list || list.length === 0) return;
    const m = maxScore(list);
    if (m <= 0) return;
    for (const n of list) {
      if (!(n.score > 0) || n.itemId === itemId) continue;
      let e = entries.get(n.itemId);
      if (!e) entries.set(n.itemId, (e = { id: n.itemId, score: 0, i2i: false, cooc: false }));
      e.score += (weight * n.score) / m;
      e[field] = true;
    }
  };
  add(snapshot.i2i.get(itemId), 1, 'i2i');
  add(snapshot.cooc.get(itemId), SIMILAR_COOC_WEIGHT, 'cooc');

  const eligible: Entry[] = [];
  for (const e of entries.values()) {
    if (exclude.has(e.id) || snapshot.catalog.get(e.id)?.available === false) continue;
    eligible.push(e);
  }
  eligible.sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0));
  const items: RankedItem[] = eligible.slice(0, k).map((e, i) => {
    const item: RankedItem = { itemId: e.id, rank: i + 1, score: e.score };
    if (input.includeReasons) {
      const reasons: string[] = [];
      if (e.i2i) reasons.push('item_similarity');
      if (e.cooc) reasons.push('co_visitation');
      item.reasons = reasons;
    }
    return item;
  });
  return { items, warnings: [], model: 'similar_v1' };
}

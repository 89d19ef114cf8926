/**
 * Reference baselines recomputed in-process from the CSV, to check that this harness measures exactly what
 * the protocol's published figures measure (the served model is evaluated by the same `evaluate`).
 */
import { readPurchases, SPLIT_AT, type Protocol } from './online-retail.js';

export async function popularityAndBuyAgain(protocol: Protocol, k = 20, path?: string) {
  // Popularity = distinct buyers per item (this is what reproduces the protocol's "most popular" rows).
  const buyers = new Map<string, Set<string>>();
  const counts = new Map<string, Map<string, number>>();
  for await (const p of readPurchases(path)) {
    if (p.at >= SPLIT_AT) continue;
    let set = buyers.get(p.itemId);
    if (!set) buyers.set(p.itemId, (set = new Set()));
    set.add(p.userId);
    let user = counts.get(p.userId);
    if (!user) counts.set(p.userId, (user = new Map()));
    user.set(p.itemId, (user.get(p.itemId) ?? 0) + 1);
  }
  const byScore = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([id]) => id);
  const popular = byScore(new Map([...buyers].map(([item, users]) => [item, users.size])));
  const pop = new Map<string, string[]>();
  const popNew = new Map<string, string[]>();
  const buyAgain = new Map<string, string[]>();
  for (const user of protocol.truth.keys()) {
    pop.set(user, popular.slice(0, k));
    const bought = protocol.trainItemsByUser.get(user) ?? new Set<string>();
    popNew.set(user, popular.filter((i) => !bought.has(i)).slice(0, k));
    const own = byScore(counts.get(user) ?? new Map());
    const seen = new Set(own);
    buyAgain.set(user, [...own, ...popular.filter((i) => !seen.has(i))].slice(0, k));
  }
  return { pop, popNew, buyAgain };
}

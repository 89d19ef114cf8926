import { prng, syntheticSnapshot } from './bench.js';
import { defaultRankingConfig } from './config.js';
import { catalogItemChanged, userProfiles } from './dense.js';
import { userProfileSteps } from './profiles.js';
import { profileStats, rank } from './rank.js';
import { runToEnd, WorkBudget } from './slices.js';
import { makeInput, makeSnapshot } from './testkit.js';
import type { RankingInput } from './types.js';

describe('user profiles', () => {
  it('when a snapshot is built, then users with enough history get a profile, counted in its size, within the budget', () => {
    const history = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`i${i}`, n - i]));
    const i2i = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`i${i}`, { [`i${(i + 1) % 12}`]: 0.5, x: 0.1 }]),
    );
    const spec = { popularity: { i0: 5, x: 1 }, i2i, history: { heavy: history(12), light: history(3) } };
    const snapshot = makeSnapshot(spec);
    const profiles = userProfiles(snapshot)!;
    expect([...profiles.byUser.keys()]).toEqual(['heavy']);
    const heavy = profiles.byUser.get('heavy')!;
    expect(heavy.items.length).toBe(13); // every neighbour: fewer than PROFILE_TOP were touched
    expect(heavy.dropped).toBe(0);
    expect(profiles.bytes).toBeGreaterThan(0);
    const without = makeSnapshot(spec, { userProfileBytes: 0 });
    expect(userProfiles(without)!.byUser.size).toBe(0);
    expect(snapshot.approxBytes - without.approxBytes).toBe(profiles.bytes);
    // A budget smaller than one profile builds none.
    expect(userProfiles(makeSnapshot(spec, { userProfileBytes: profiles.bytes - 1 }))!.byUser.size).toBe(0);
  });
});

describe('rank: user profiles in place of the live expansion', () => {
  const snapshot = syntheticSnapshot(3000, 40, 400);
  // A small profile (10 sums) so that both outcomes occur: a list proven exact, and a re-rank.
  runToEnd(userProfileSteps(snapshot, new WorkBudget(), { top: 10 }));
  const config = defaultRankingConfig();
  const rnd = prng(11);
  const cases: { name: string; input: RankingInput }[] = [];
  for (let n = 0; n < 200; n++) {
    const excludeIds = Array.from(
      { length: Math.floor(rnd() * 20) },
      () => `item-${Math.floor(rnd() * 300)}`,
    );
    cases.push({
      name: `case ${n}`,
      input: makeInput(snapshot, {
        request: { k: 1 + Math.floor(rnd() * 60), subjectId: `user-${Math.floor(rnd() * 400)}`, excludeIds },
        config: {
          ...config,
          allowRepeats: rnd() < 0.7,
          ...(rnd() < 0.3 ? { historyShare: 0.5 } : {}),
          ...(rnd() < 0.3 ? { weights: { ...config.weights, i2i: 2, history: 0.2 } } : {}),
        },
      }),
    });
  }

  it('when known users are ranked with and without profiles, then items, scores and warnings are identical', () => {
    const before = { ...profileStats };
    for (const { input } of cases) expect(rank(input)).toEqual(rank(input, { prune: false }));
    const used = profileStats.used - before.used;
    const inexact = profileStats.inexact - before.inexact;
    // Both branches ran: lists proven exact from the profile, and lists re-ranked live.
    expect(used).toBe(cases.length);
    expect(inexact).toBeGreaterThan(0);
    expect(inexact).toBeLessThan(used);
  });

  it('when a request has anchors or recent items, or ranks with other seeding, then no profile is used', () => {
    const base = cases[0]!.input;
    const variants: RankingInput[] = [
      { ...base, request: { ...base.request, anchors: ['item-5'] } },
      { ...base, recent: [{ itemId: 'item-7', type: 'view', at: base.now - 60_000 }] },
      { ...base, config: { ...base.config, historySeeds: 5 } },
      { ...base, config: { ...base.config, fanout: 300 } },
    ];
    const before = profileStats.used;
    for (const input of variants) expect(rank(input)).toEqual(rank(input, { prune: false }));
    expect(profileStats.used).toBe(before);
  });

  it('when a live catalog update changes a content seed’s tags, then ranking with profiles follows the new tags', () => {
    const own = syntheticSnapshot(3000, 40, 400);
    // Every sum kept, so that the profile's list is exact and never re-ranked live.
    runToEnd(userProfileSteps(own, new WorkBudget(), { top: Number.MAX_SAFE_INTEGER }));
    const input = makeInput(own, {
      request: { k: 20, subjectId: 'user-1' },
      config: { ...config, weights: { ...config.weights, content: 2 } },
    });
    expect(userProfiles(own)!.byUser.get('user-1')!.contentItems.length).toBeGreaterThan(0);
    const before = rank(input);
    expect(before).toEqual(rank(input, { prune: false }));
    // The user's top history item seeds content similarity; it now carries the vocabulary's commonest tags.
    const seed = own.userHistory.get('user-1')![0]!.itemId;
    const previous = own.catalog.get(seed)!;
    own.catalog.set(seed, { ...previous, tags: ['tag-0', 'tag-1', 'tag-2', 'tag-3'] });
    catalogItemChanged(own, seed, previous.tags);
    const { used, inexact } = profileStats;
    const after = rank(input);
    expect(profileStats.used).toBe(used + 1); // the i2i sums still come from the profile
    expect(profileStats.inexact).toBe(inexact);
    expect(after).toEqual(rank(input, { prune: false }));
    expect(after).not.toEqual(before);
  });
});

describe('rank: a canonical snapshot history read without building its map', () => {
  it('when the same histories are ranked marked canonical and not, then the results are identical', () => {
    const snapshot = syntheticSnapshot(2000, 30, 300); // buildSnapshot's invariants hold, but it is not marked
    const canonical = { ...snapshot, historyCanonical: true };
    const rnd = prng(5);
    for (let n = 0; n < 150; n++) {
      const overrides = {
        request: { k: 1 + Math.floor(rnd() * 40), subjectId: `user-${Math.floor(rnd() * 300)}` },
        config: { ...defaultRankingConfig(), allowRepeats: rnd() < 0.5 },
      };
      const recent =
        rnd() < 0.5
          ? [{ itemId: `item-${Math.floor(rnd() * 2000)}`, type: 'purchase', at: Date.UTC(2025, 0, 1) }]
          : [];
      const plain = { ...makeInput(snapshot, overrides), recent };
      const marked = { ...makeInput(canonical, overrides), recent };
      expect(rank(marked, { profiles: false })).toEqual(rank(plain, { profiles: false }));
    }
  });
});

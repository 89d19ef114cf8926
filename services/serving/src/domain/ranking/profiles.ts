/**
 * User profiles: each known user's history-seeded i2i sums, computed once per snapshot instead of per request.
 * Expanding a hundred history seeds into their neighbours is most of what rank() costs for a known user, and
 * for a request without anchors or recent items (a returning user on a home page) it only depends on the
 * snapshot. rank() loads a profile's sums in place of the expansion, and checks the result: an item whose sum was
 * left out can score at most (its other signals + the largest sum left out); when that could reach the list, the
 * request is ranked again with the live expansion. Results are identical either way.
 *
 * Built at snapshot load, heaviest histories first (they cost most live), until `maxBytes` are used.
 */
import { defaultRankingConfig } from './config.js';
import { Accumulators, denseSignals, setUserProfiles, type UserProfile, type UserProfiles } from './dense.js';
import { addContent, expandSeeds, neighbourSeeds, profileKey, userContext } from './rank.js';
import type { Steps, WorkBudget } from './slices.js';
import type { RankingInput, RankingRequest, SignalSnapshot } from './types.js';

/** Users with fewer history items are ranked live: their expansion is cheap. */
export const PROFILE_MIN_HISTORY = 8;
/** Best sums kept per user (with those of the user's popular and own items). */
export const PROFILE_TOP = 150;
/** Default budget per snapshot. */
export const DEFAULT_PROFILE_BYTES = 64 * 2 ** 20;
/** Bytes per profile besides its arrays: the map entry, the object and five typed-array headers. */
const PROFILE_OVERHEAD = 48 + 56 + 5 * 96;

export interface ProfileOptions {
  maxBytes?: number;
  top?: number;
  minHistory?: number;
}

export function* userProfileSteps(
  snapshot: SignalSnapshot,
  budget: WorkBudget,
  options: ProfileOptions = {},
): Steps<UserProfiles> {
  const maxBytes = options.maxBytes ?? DEFAULT_PROFILE_BYTES;
  const top = options.top ?? PROFILE_TOP;
  const minHistory = options.minHistory ?? PROFILE_MIN_HISTORY;
  const config = defaultRankingConfig();
  const key = profileKey(config, 0);
  const profiles: UserProfiles = { key, byUser: new Map(), bytes: 0 };
  const dense = denseSignals(snapshot);
  if (maxBytes > 0 && dense.ids.length > 0) {
    const acc = new Accumulators();
    acc.reserve(dense.ids.length);
    const users = [...snapshot.userHistory].filter(([, history]) => history.length >= minHistory);
    users.sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let sums = new Float64Array(0);
    for (const [userId] of users) {
      const input: RankingInput = {
        snapshot,
        recent: [],
        request: { subjectId: userId } as RankingRequest,
        config,
        rules: [],
        now: 0,
      };
      const user = userContext(input);
      if (!user.historyRanked) continue; // rank() uses a profile only for a history in snapshot order
      const seeds = neighbourSeeds([], user, key.historySeeds, key.historySeedPower);
      expandSeeds(dense, dense.i2i, seeds, key.perSeed, key.minPerSeed, acc, acc.i2i);
      const n = acc.size;
      if (sums.length < n) sums = new Float64Array(2 * n);
      for (let j = 0; j < n; j++) sums[j] = acc.i2i[acc.touched[j]!]!;
      const sorted = sums.subarray(0, n).sort();
      const threshold = n > top ? sorted[n - top]! : Number.NEGATIVE_INFINITY;
      const kept: number[] = [];
      let dropped = 0;
      for (let j = 0; j < n; j++) {
        const i = acc.touched[j]!;
        const sum = acc.i2i[i]!;
        if (sum >= threshold || i < key.fanout || user.history.has(dense.ids[i]!)) kept.push(i);
        else if (sum > dropped) dropped = sum;
      }
      const items = Int32Array.from(kept);
      const i2i = Float64Array.from(kept, (i) => acc.i2i[i]!);
      acc.clear();
      // Content sums from a cleared accumulator, so that `touched` lists exactly what addContent touched.
      if (snapshot.tagIndex.size > 0) addContent(snapshot, dense, acc, [], user);
      const contentItems = acc.touched.slice(0, acc.size);
      const content = Float64Array.from(contentItems, (i) => acc.content[i]!);
      acc.clear();
      const profile: UserProfile = {
        items,
        i2i,
        dropped,
        history: Int32Array.from(user.historyRanked, (h) => dense.index.get(h.itemId) ?? -1),
        contentItems,
        content,
        tagsEpoch: dense.tagsEpoch,
      };
      const bytes =
        PROFILE_OVERHEAD + 12 * (kept.length + contentItems.length) + 4 * user.historyRanked.length;
      if (profiles.bytes + bytes > maxBytes) break;
      profiles.byUser.set(userId, profile);
      profiles.bytes += bytes;
      if (budget.spend(n + seeds.size)) yield;
    }
  }
  setUserProfiles(snapshot, profiles);
  return profiles;
}

/**
 * Where `rank()`'s time goes for a known user: the same 2,000 users and snapshot as tune/rank-ab.ts, ranked by
 * the current build (services/serving/dist) with the served default and with variants that leave out one part
 * of the work at a time, in alternating rounds in one process. The differences between the rows are the cost
 * of the part left out.
 *
 *   cd packages/bench && node --conditions=source --import tsx tune/rank-breakdown.ts [rounds=12]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@recsys/devstack/stack';
import { SURFACE } from '../src/retail.js';
import type {
  RankingConfig,
  RankingInput,
  RankingResult,
} from '../../../services/serving/src/domain/ranking/types.js';
import { alternatingRounds, loadRankInputs, subjectOf } from './rank-inputs.js';

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 12);
  const data = await loadRankInputs();
  const dist = join(repoRoot, 'services/serving/dist/domain/ranking');
  const load = async (file: string) => import(pathToFileURL(join(dist, file)).href);
  const { buildSnapshot } = await load('snapshot.js');
  const { defaultRankingConfig, mergeRankingConfig } = await load('config.js');
  const { makeRequest } = await load('testkit.js');
  const { rank, profileStats } = (await load('rank.js')) as {
    rank: (input: RankingInput, options?: { profiles?: boolean }) => RankingResult;
    profileStats: { used: number; inexact: number };
  };
  const { userProfiles } = await load('dense.js');
  const snapshot = buildSnapshot({ ...data.key, version: data.version }, data.artifacts);
  const served = mergeRankingConfig(defaultRankingConfig(), null, SURFACE, null) as RankingConfig;
  const inputs = (config: RankingConfig, known: boolean): RankingInput[] =>
    data.users.map((user) => ({
      snapshot,
      recent: [],
      request: makeRequest({ surface: SURFACE, k: 20, ...(known ? { subjectId: subjectOf(user) } : {}) }),
      config,
      rules: [],
      now: Date.now(),
    }));
  // What the profiles add to a snapshot load: builds with and without them, alternating.
  const buildMs = { with: [] as number[], without: [] as number[] };
  for (let i = 0; i < 5; i++) {
    for (const [variant, options] of [
      ['without', { userProfileBytes: 0 }],
      ['with', {}],
    ] as const) {
      const started = performance.now();
      buildSnapshot({ ...data.key, version: data.version }, data.artifacts, options);
      buildMs[variant].push(performance.now() - started);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `snapshot build: ${median(buildMs.with).toFixed(0)} ms with user profiles, ` +
      `${median(buildMs.without).toFixed(0)} ms without (medians of 5)`,
  );
  const profiles = userProfiles(snapshot) as { byUser: Map<string, unknown>; bytes: number };
  const held = data.users.filter((user) => profiles.byUser.has(subjectOf(user))).length;
  console.log(
    `user profiles: ${profiles.byUser.size} in the snapshot, ${(profiles.bytes / 2 ** 20).toFixed(1)} MiB; ` +
      `${held} of the ${data.users.length} users ranked here hold one`,
  );
  const variants: [string, RankingInput[], { profiles?: boolean }?][] = [
    ['known user, served default', inputs(served, true)],
    ['known user, served default, without user profiles', inputs(served, true), { profiles: false }],
    ['known user, min_neighbours_per_seed 10', inputs({ ...served, minNeighboursPerSeed: 10 }, true)],
    ['known user, no history seeds (no neighbour expansion)', inputs({ ...served, historySeeds: 0 }, true)],
    ['known user, popularity mode', inputs({ ...served, mode: 'popularity' }, true)],
    ['request without a user, served default', inputs(served, false)],
  ];
  const before = { ...profileStats };
  for (const input of inputs(served, true)) rank(input);
  const used = profileStats.used - before.used;
  const inexact = profileStats.inexact - before.inexact;
  console.log(
    `known users, served default: ${used} of ${data.users.length} requests ranked from a profile, ` +
      `${inexact} of them re-ranked live (list not proven exact)`,
  );
  const timed = variants.map(([name, list, options]) => ({
    name,
    run: () => list.forEach((input) => rank(input, options)),
    calls: list.length,
  }));
  for (const { name, median } of alternatingRounds(timed, rounds)) {
    console.log(`${median.toFixed(1).padStart(7)} µs  ${name}`);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

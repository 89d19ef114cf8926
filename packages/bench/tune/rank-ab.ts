/**
 * A/B of two builds of serving's ranking engine in one process: `rank()` of a saved build (the base) and of the
 * current build (services/serving/dist) on the snapshot and users of tune/rank-timing.ts, in alternating
 * rounds so that host load hits both alike. It first checks that both return the same results for every user.
 *
 *   cp -r services/serving/dist/domain/ranking /tmp/rank-base      (before the change; then change and build)
 *   cd packages/bench && node --conditions=source --import tsx tune/rank-ab.ts /tmp/rank-base [rounds=12]
 *   (RANK_AB_PROFILES=1: each build ranks with the user profiles it builds for the snapshot, as serving does)
 *
 * The inputs (the bench database's live signal version and the 2,000 users) are read once through the bench
 * stack and kept in .bench/rank-inputs.json. Compare a build with a copy of itself first to see the noise: on a
 * two-vCPU VM, medians of 30 rounds of one build and its copy differed by 5–6%.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@recsys/devstack/stack';
import { SURFACE } from '../src/retail.js';
import type { RankingInput, RankingResult } from '../../../services/serving/src/domain/ranking/types.js';
import { alternatingRounds, loadRankInputs, subjectOf } from './rank-inputs.js';

type RankModule = { rank: (input: RankingInput) => RankingResult };

async function main(): Promise<void> {
  const baseDir = process.argv[2];
  if (!baseDir)
    throw new Error('usage: rank-ab.ts <directory with the base build of domain/ranking> [rounds]');
  const rounds = Number(process.argv[3] ?? 12);
  const data = await loadRankInputs();
  const dist = join(repoRoot, 'services/serving/dist/domain/ranking');
  const load = async (file: string) => import(pathToFileURL(file).href);
  const { buildSnapshot } = await load(join(dist, 'snapshot.js'));
  const { defaultRankingConfig, mergeRankingConfig } = await load(join(dist, 'config.js'));
  const { makeRequest } = await load(join(dist, 'testkit.js'));
  // Both builds are loaded from copies of their own, so that neither shares its module instances (and the JIT
  // state that comes with them) with the snapshot and config modules above: loaded from dist itself, the
  // current build ran ~12% faster than an identical copy.
  const copyOf = (dir: string): string => {
    const copy = mkdtempSync(join(tmpdir(), 'rank-ab-'));
    cpSync(dir, copy, { recursive: true });
    return copy;
  };
  const snapshot = buildSnapshot({ ...data.key, version: data.version }, data.artifacts);
  // Each copy keeps its own dense signals and user profiles (module-level caches keyed by the snapshot).
  const withProfiles = process.env.RANK_AB_PROFILES === '1';
  const buildOf = async (dir: string): Promise<RankModule> => {
    const copy = copyOf(dir);
    if (withProfiles) {
      const { userProfileSteps } = await load(join(copy, 'profiles.js'));
      const { runToEnd, WorkBudget } = await load(join(copy, 'slices.js'));
      runToEnd(userProfileSteps(snapshot, new WorkBudget()));
    }
    return (await load(join(copy, 'rank.js'))) as RankModule;
  };
  const builds: [string, RankModule][] = [
    ['base', await buildOf(resolve(baseDir))],
    ['current', await buildOf(dist)],
  ];
  const config = mergeRankingConfig(defaultRankingConfig(), null, SURFACE, null);
  const inputs: RankingInput[] = data.users.map((user) => ({
    snapshot,
    recent: [],
    request: makeRequest({ surface: SURFACE, k: 20, subjectId: subjectOf(user) }),
    config,
    rules: [],
    now: Date.now(),
  }));

  const differing = inputs.filter(
    (input) => JSON.stringify(builds[0]![1].rank(input)) !== JSON.stringify(builds[1]![1].rank(input)),
  ).length;
  console.log(`results that differ between the builds: ${differing} of ${inputs.length} users`);

  const timed = builds.map(([name, build]) => ({
    name,
    run: () => inputs.forEach((input) => build.rank(input)),
    calls: inputs.length,
  }));
  for (const { name, median, rounds: list } of alternatingRounds(timed, rounds)) {
    console.log(
      `${name}: median ${median.toFixed(1)} µs per rank() (rounds: ${list.map((t) => t.toFixed(0)).join(' ')})`,
    );
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

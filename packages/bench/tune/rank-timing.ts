/**
 * Time serving's `rank()` alone on the snapshot `pnpm bench` serves: loads the live signal version from the bench
 * database (serving's DB-only tables, filled by the bench's publisher run), builds serving's real snapshot, and
 * ranks k=20 for the same 2,000 known users as the serving benchmark (no live recent items, served default
 * config), several passes, reporting µs per call per pass.
 *
 *   cd packages/bench && node --conditions=source --import tsx tune/rank-timing.ts [passes=5]
 *
 * The inputs come from tune/rank-inputs.ts (the bench database, read once through the bench stack; needs live
 * signals there: run `pnpm bench` or tune/profile-serving.ts once).
 */
import { SURFACE } from '../src/retail.js';
import {
  buildSnapshot,
  type SnapshotArtifacts,
} from '../../../services/serving/src/domain/ranking/snapshot.js';
import { rank } from '../../../services/serving/src/domain/ranking/rank.js';
import {
  defaultRankingConfig,
  mergeRankingConfig,
} from '../../../services/serving/src/domain/ranking/config.js';
import { makeRequest } from '../../../services/serving/src/domain/ranking/testkit.js';
import { loadRankInputs, subjectOf } from './rank-inputs.js';

async function main(): Promise<void> {
  const passes = Number(process.argv[2] ?? 5);
  const data = await loadRankInputs();
  const snapshot = buildSnapshot({ ...data.key, version: data.version }, data.artifacts as SnapshotArtifacts);
  const users = data.users;
  const config = mergeRankingConfig(defaultRankingConfig(), null, SURFACE, null);
  // Inputs are built before timing, so the passes measure rank() and nothing else.
  const inputs = users.map((user) => ({
    snapshot,
    recent: [],
    request: makeRequest({
      surface: SURFACE,
      k: 20,
      subjectId: subjectOf(user),
      includeReasons: false,
    }),
    config,
    rules: [],
    now: Date.now(),
  }));
  let checksum = 0;
  for (let p = 0; p < passes; p++) {
    const t0 = process.hrtime.bigint();
    for (const input of inputs) checksum += rank(input).items.length;
    const us = Number(process.hrtime.bigint() - t0) / 1000 / users.length;
    console.log(`pass ${p + 1}: ${us.toFixed(1)} µs per rank() (${users.length} users)`);
  }
  console.log(`items returned: ${checksum}`);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

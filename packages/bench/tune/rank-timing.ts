/**
 * Time serving's `rank()` alone on the snapshot `pnpm bench` serves: loads the live signal version from the bench
 * database (serving's DB-only tables, filled by the bench's publisher run), builds serving's real snapshot, and
 * ranks k=20 for the same 2,000 known users as the serving benchmark (no live recent items, served default
 * config), several passes, reporting µs per call per pass.
 *
 *   cd packages/bench && node --conditions=source --import tsx tune/rank-timing.ts [passes=5]
 *
 * Starts the bench stack (as tune/profile-serving.ts does) for its database; needs live signals there (run
 * `pnpm bench` or tune/profile-serving.ts once).
 */
import { join } from 'node:path';
import { repoRoot, startStack } from '@recsys/devstack/stack';
import { createDb, createPool } from '../../platform/src/db.js';
import { buildProtocol } from '../src/online-retail.js';
import { SURFACE } from '../src/retail.js';
import { DbSignalSource } from '../../../services/serving/src/signals/sources.js';
import type { ServingDatabase } from '../../../services/serving/src/db/schema.js';
import {
  buildSnapshot,
  type SnapshotArtifacts,
} from '../../../services/serving/src/domain/ranking/snapshot.js';
import { rank } from '../../../services/serving/src/domain/ranking/rank.js';
import {
  defaultRankingConfig,
  mergeRankingConfig,
} from '../../../services/serving/src/domain/ranking/config.js';
import { hashId } from '../../../services/serving/src/domain/normalize.js';
import { makeRequest } from '../../../services/serving/src/domain/ranking/testkit.js';

async function main(): Promise<void> {
  const passes = Number(process.argv[2] ?? 5);
  const stack = await startStack({
    stateDir: join(repoRoot, '.bench'),
    basePort: Number(process.env.BENCH_BASE_PORT ?? 18000),
    database: 'recsys_bench',
    redisKeyPrefix: 'bench:',
    env: { LOG_LEVEL: 'warn' },
    log: () => undefined,
  });
  const pool = createPool({ connectionString: stack.env.DATABASE_URL!, schema: 'serving' });
  const source = new DbSignalSource(createDb<ServingDatabase>(pool));
  const live = (await source.listLive()).find((l) => l.key.surface === SURFACE);
  if (!live) throw new Error('no live signals in the bench database: run pnpm bench first');
  const loaded = (await source.loadCurrent(live.key))!;
  await pool.end();
  await stack.stop();
  const snapshot = buildSnapshot(
    { ...live.key, version: loaded.version },
    loaded.artifacts as SnapshotArtifacts,
  );
  const protocol = await buildProtocol();
  const users = [...protocol.trainUsers].slice(0, 2000);
  const config = mergeRankingConfig(defaultRankingConfig(), null, SURFACE, null);
  const salt = process.env.EXPOSURE_HASH_SALT;
  // Inputs are built before timing, so the passes measure rank() and nothing else.
  const inputs = users.map((user) => ({
    snapshot,
    recent: [],
    request: makeRequest({
      surface: SURFACE,
      k: 20,
      subjectId: salt ? hashId(user, salt) : user,
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

/**
 * The inputs of the rank() tuning scripts: the bench database's live Online Retail signal version (serving's
 * DB-only tables, filled by `pnpm bench`) and the first 2,000 train users of the protocol. Read once through the
 * bench stack and kept in .bench/rank-inputs.json (delete it to read them again after a new publish).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startStack } from '@recsys/devstack/stack';
import { createDb, createPool } from '../../platform/src/db.js';
import { buildProtocol } from '../src/online-retail.js';
import { SURFACE } from '../src/retail.js';
import { DbSignalSource } from '../../../services/serving/src/signals/sources.js';
import type { ServingDatabase } from '../../../services/serving/src/db/schema.js';
import type { SignalKey } from '../../../services/serving/src/signals/validate.js';

export interface RankInputs {
  key: SignalKey;
  version: string;
  artifacts: unknown;
  users: string[];
}
const INPUTS = join(repoRoot, '.bench/rank-inputs.json');

export async function loadRankInputs(): Promise<RankInputs> {
  if (existsSync(INPUTS)) return JSON.parse(readFileSync(INPUTS, 'utf8')) as RankInputs;
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
  const users = [...(await buildProtocol()).trainUsers].slice(0, 2000);
  const inputs = { key: live.key, version: loaded.version, artifacts: loaded.artifacts, users };
  writeFileSync(INPUTS, JSON.stringify(inputs));
  return inputs;
}

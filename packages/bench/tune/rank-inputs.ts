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
import { hashId } from '../../../services/serving/src/domain/normalize.js';
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

/**
 * The subject id serving ranks a bench user under: hashed with EXPOSURE_HASH_SALT when it is set, as ingest
 * stores ids and the publisher keys histories.
 */
export function subjectOf(user: string): string {
  const salt = process.env.EXPOSURE_HASH_SALT;
  return salt ? hashId(user, salt) : user;
}

export interface TimedVariant {
  name: string;
  /** One round's work: `calls` rank() calls. */
  run: () => void;
  calls: number;
}

/**
 * Times `variants` in `rounds` alternating rounds (the order reversed every other round, so host load and JIT
 * warm-up hit them alike); per variant the µs per call of every round and their median.
 */
export function alternatingRounds(
  variants: TimedVariant[],
  rounds: number,
): { name: string; median: number; rounds: number[] }[] {
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const variant of r % 2 ? [...variants].reverse() : variants) {
      const t0 = process.hrtime.bigint();
      variant.run();
      times.get(variant.name)!.push(Number(process.hrtime.bigint() - t0) / 1000 / variant.calls);
    }
  }
  return [...times].map(([name, list]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { name, median: sorted[Math.floor(sorted.length / 2)]!, rounds: list };
  });
}

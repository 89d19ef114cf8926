/**
 * Tuning harness for the served default ranking, on a validation split that ends before the protocol's test
 * window: train = purchases before VALIDATION_AT (2011-10-09), validation = [2011-10-09, 2011-11-09). No
 * test-window purchase is read beyond the split check.
 *
 * It builds the publisher's real artifacts in-process (same accumulator and builders, default parameters),
 * turns them into serving's real snapshot, and scores serving's real `rank()` for every validation user under a
 * grid of configs, for the protocol's "all" and "new" variants.
 *
 *   node --conditions=source --import tsx packages/bench/tune/validation-grid.ts [grid.json]
 *
 * grid.json: an array of { "name", "weights"?, "ranking"? } layers merged over the served default. Without it,
 * the served default alone is scored. Results go to stdout as one line per config.
 */
import { readFileSync } from 'node:fs';
import { readPurchases, SPLIT_AT, tagsOf } from '@recsys/devstack/online-retail';
import { accumulate } from '../../../services/publisher/src/domain/artifacts/accumulate.js';
import { buildParamsOf } from '../../../services/publisher/src/commands.js';
import { loadConfig } from '../../../services/publisher/src/config.js';
import { accumulateParams, buildArtifacts } from '../../../services/publisher/src/domain/pipeline.js';
import type { EnvelopeBase } from '../../../services/publisher/src/domain/artifacts/envelope.js';
import type { InputRecord } from '../../../services/publisher/src/domain/events.js';
import { buildSnapshot } from '../../../services/serving/src/domain/ranking/snapshot.js';
import { rank } from '../../../services/serving/src/domain/ranking/rank.js';
import {
  defaultRankingConfig,
  mergeRankingConfig,
} from '../../../services/serving/src/domain/ranking/config.js';
import type { TenantConfigDoc } from '../../../services/serving/src/domain/ranking/config.js';
import type { RankingRequest } from '../../../services/serving/src/domain/ranking/types.js';

const VALIDATION_AT = Date.parse('2011-10-09T00:00:00Z');
const K = 20;

interface GridEntry {
  name: string;
  weights?: Record<string, number>;
  ranking?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const grid: GridEntry[] = process.argv[2]
    ? (JSON.parse(readFileSync(process.argv[2], 'utf8')) as GridEntry[])
    : [{ name: 'served default' }];

  const train: InputRecord[] = [];
  const catalogSeen = new Set<string>();
  const trainItemsByUser = new Map<string, Set<string>>();
  const truthAll = new Map<string, Set<string>>();
  for await (const p of readPurchases()) {
    if (p.at >= SPLIT_AT) break; // the file is in time order: nothing of the test window is used
    if (p.at < VALIDATION_AT) {
      if (!catalogSeen.has(p.itemId)) {
        catalogSeen.add(p.itemId);
        train.push({
          kind: 'catalog',
          at: p.at,
          item: { itemId: p.itemId, title: p.title, tags: tagsOf(p.title), price: p.price, available: true },
        });
      }
      train.push({
        kind: 'event',
        event: { type: 'purchase', itemId: p.itemId, userId: p.userId, sessionId: p.invoice, at: p.at },
      });
      let set = trainItemsByUser.get(p.userId);
      if (!set) trainItemsByUser.set(p.userId, (set = new Set()));
      set.add(p.itemId);
    } else {
      let set = truthAll.get(p.userId);
      if (!set) truthAll.set(p.userId, (set = new Set()));
      set.add(p.itemId);
    }
  }
  // Same eligibility as the protocol: a train purchase and a validation purchase of an item seen in train.
  for (const [user, items] of [...truthAll]) {
    if (!trainItemsByUser.has(user) || ![...items].some((i) => catalogSeen.has(i))) truthAll.delete(user);
  }

  const config = loadConfig({ ...process.env });
  const build = buildParamsOf({}, config);
  const window = { start: 0, end: VALIDATION_AT };
  async function* records() {
    for (const r of train) yield r;
  }
  const started = Date.now();
  const acc = await accumulate(records(), accumulateParams(build, window, VALIDATION_AT));
  const base: EnvelopeBase = {
    tenant: 'retail',
    surface: 'home',
    segment: 'default',
    window: { start: new Date(0).toISOString(), end: new Date(VALIDATION_AT).toISOString() },
    builtAt: new Date(VALIDATION_AT).toISOString(),
    publisherVersion: 'tune',
    sourceHash: acc.sourceHash,
  };
  const artifacts = buildArtifacts(acc, base, build);
  const snapshot = buildSnapshot(
    { tenantId: 'retail', surface: 'home', segment: 'default', version: 'validation' },
    artifacts as never,
  );
  console.error(
    `built validation snapshot in ${((Date.now() - started) / 1000).toFixed(1)} s; ${truthAll.size} validation users`,
  );

  for (const entry of grid) {
    const layer = { ...(entry.ranking ? { ranking: entry.ranking } : {}) } as TenantConfigDoc;
    const cfg = mergeRankingConfig(defaultRankingConfig(), layer, 'home', entry.weights ?? null);
    const sums = { all: { r: 0, n: 0, h: 0, u: 0 }, new: { r: 0, n: 0, h: 0, u: 0 } };
    for (const [user, truth] of truthAll) {
      for (const variant of ['all', 'new'] as const) {
        const owned = trainItemsByUser.get(user)!;
        const relevant = variant === 'all' ? truth : new Set([...truth].filter((i) => !owned.has(i)));
        if (relevant.size === 0) continue;
        const request: RankingRequest = {
          surface: 'home',
          segment: 'default',
          k: K,
          subjectId: user,
          anchors: [],
          includeIds: [],
          excludeIds: variant === 'new' ? [...owned] : [],
          requiredTags: [],
          forbiddenTags: [],
          maxPerTag: {},
          includeReasons: false,
          explain: 'none',
          includeTrace: false,
        };
        const result = rank({ snapshot, recent: [], request, config: cfg, rules: [], now: VALIDATION_AT });
        let hits = 0;
        let dcg = 0;
        result.items.forEach((item, i) => {
          if (relevant.has(item.itemId)) {
            hits++;
            dcg += 1 / Math.log2(i + 2);
          }
        });
        let idcg = 0;
        for (let i = 0; i < Math.min(K, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
        const s = sums[variant];
        s.r += hits / Math.min(K, relevant.size);
        s.n += dcg / idcg;
        s.h += hits > 0 ? 1 : 0;
        s.u++;
      }
    }
    const f = (v: number) => v.toFixed(4);
    console.log(
      `${entry.name.padEnd(40)} all R ${f(sums.all.r / sums.all.u)} N ${f(sums.all.n / sums.all.u)}  ` +
        `new R ${f(sums.new.r / sums.new.u)} N ${f(sums.new.n / sums.new.u)}  (${sums.all.u}/${sums.new.u} users)`,
    );
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

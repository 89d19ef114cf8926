/**
 * Tuning harness for the served default ranking, on a validation split that ends before the protocol's test
 * window: train = purchases before VALIDATION_AT (2011-10-09), validation = [2011-10-09, 2011-11-09). No
 * test-window purchase is read beyond the split check.
 *
 * It builds the publisher's real artifacts in-process (same accumulator and builders, default parameters),
 * turns them into serving's real snapshot, and scores serving's real `rank()` for every validation user under a
 * grid of configs, for the protocol's "all" and "new" variants.
 *
 *   cd packages/bench && node --conditions=source --import tsx tune/validation-grid.ts [grid.json]
 *
 * grid.json: an array of { "name", "weights"?, "ranking"? } layers merged over the served default. Without it,
 * the served default alone is scored. Results go to stdout as one line per config.
 */
import { readFileSync } from 'node:fs';
import { tagsOf } from '@recsys/devstack/online-retail';
import { buildProtocol, DATASET_PATH, evaluate, readPurchases, SPLIT_AT } from '../src/online-retail.js';
import { accumulate } from '../../../services/publisher/src/domain/artifacts/accumulate.js';
import { buildParamsOf } from '../../../services/publisher/src/commands.js';
import { loadConfig } from '../../../services/publisher/src/config.js';
import { accumulateParams, buildArtifacts } from '../../../services/publisher/src/domain/pipeline.js';
import type { EnvelopeBase } from '../../../services/publisher/src/domain/artifacts/envelope.js';
import type { InputRecord } from '../../../services/publisher/src/domain/events.js';
import {
  buildSnapshot,
  type SnapshotArtifacts,
} from '../../../services/serving/src/domain/ranking/snapshot.js';
import { rank } from '../../../services/serving/src/domain/ranking/rank.js';
import {
  defaultRankingConfig,
  mergeRankingConfig,
} from '../../../services/serving/src/domain/ranking/config.js';
import type { TenantConfigDoc } from '../../../services/serving/src/domain/ranking/config.js';
import type {
  RankingRequest,
  RecentInteraction,
} from '../../../services/serving/src/domain/ranking/types.js';

const VALIDATION_AT = Date.parse('2011-10-09T00:00:00Z');
const K = 20;
/** Serving's SERVING_USER_HISTORY_MAX default. */
const RECENT_MAX = 50;

interface GridEntry {
  name: string;
  weights?: Record<string, number>;
  ranking?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const grid: GridEntry[] = process.argv[2]
    ? (JSON.parse(readFileSync(process.argv[2], 'utf8')) as GridEntry[])
    : [{ name: 'served default' }];

  // Validation protocol: the same definitions as the real one, split a month earlier, ending at the real split.
  const protocol = await buildProtocol(DATASET_PATH, VALIDATION_AT, SPLIT_AT);
  const train: InputRecord[] = [];
  const catalogSeen = new Set<string>();
  // What serving's live user state holds at the split: each user's newest purchase per item (ZADD GT), newest
  // SERVING_USER_HISTORY_MAX (50) of them, as the outcome stream delivered them during the import.
  const lastPurchase = new Map<string, Map<string, number>>();
  for await (const p of readPurchases()) {
    if (p.at >= VALIDATION_AT) break; // the file is in time order
    let items = lastPurchase.get(p.userId);
    if (!items) lastPurchase.set(p.userId, (items = new Map()));
    items.set(p.itemId, p.at);
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
    artifacts as SnapshotArtifacts,
  );
  console.error(
    `built validation snapshot in ${((Date.now() - started) / 1000).toFixed(1)} s; ${protocol.truth.size} validation users`,
  );

  const recentOf = (user: string): RecentInteraction[] =>
    process.env.TUNE_RECENT === '0'
      ? []
      : [...(lastPurchase.get(user) ?? new Map<string, number>())]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, RECENT_MAX)
          .map(([itemId, at]) => ({ itemId, type: 'purchase', at }));

  for (const entry of grid) {
    const layer = { ...(entry.ranking ? { ranking: entry.ranking } : {}) } as TenantConfigDoc;
    const cfg = mergeRankingConfig(defaultRankingConfig(), layer, 'home', entry.weights ?? null);
    const recommend = (user: string, excludeIds: string[]): string[] => {
      const request: RankingRequest = {
        surface: 'home',
        segment: 'default',
        k: K,
        subjectId: user,
        anchors: [],
        includeIds: [],
        excludeIds,
        requiredTags: [],
        forbiddenTags: [],
        maxPerTag: {},
        includeReasons: false,
        explain: 'none',
        includeTrace: false,
      };
      const result = rank({
        snapshot,
        recent: recentOf(user),
        request,
        config: cfg,
        rules: [],
        now: VALIDATION_AT,
      });
      return result.items.map((item) => item.itemId);
    };
    const all = new Map<string, string[]>();
    const fresh = new Map<string, string[]>();
    const t0 = process.hrtime.bigint();
    for (const user of protocol.truth.keys()) all.set(user, recommend(user, []));
    const usPerCall = Number(process.hrtime.bigint() - t0) / 1000 / Math.max(1, all.size);
    for (const user of protocol.truth.keys()) {
      fresh.set(user, recommend(user, [...(protocol.trainItemsByUser.get(user) ?? [])]));
    }
    const result = evaluate(protocol, all, K, fresh);
    const f = (v: number) => v.toFixed(4);
    console.log(
      `${entry.name.padEnd(40)} all R ${f(result.all.recall)} N ${f(result.all.ndcg)}  ` +
        `new R ${f(result.new.recall)} N ${f(result.new.ndcg)}  (${result.all.users}/${result.new.users} users)  ` +
        `rank ${usPerCall.toFixed(0)} µs/call`,
    );
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Small builders for ranking inputs (used by the unit tests; handy for route tests too). Pure.
 */
import { defaultRankingConfig } from './config.js';
import { buildSnapshot, type SnapshotOptions } from './snapshot.js';
import type { RankingConfig, RankingInput, RankingRequest, Rule, SignalSnapshot } from './types.js';

type Lists = Record<string, Record<string, number>>;

export interface SnapshotSpec {
  popularity?: Record<string, number>;
  cooc?: Lists;
  i2i?: Lists;
  session?: Lists;
  history?: Lists;
  catalog?: Record<string, { tags?: string[]; available?: boolean }>;
}

function lists(spec: Lists | undefined): { item_id: string; items: { item_id: string; score: number }[] }[] {
  return Object.entries(spec ?? {}).map(([item_id, nbs]) => ({
    item_id,
    items: Object.entries(nbs).map(([id, score]) => ({ item_id: id, score })),
  }));
}

export function makeSnapshot(spec: SnapshotSpec, options: SnapshotOptions = {}): SignalSnapshot {
  return buildSnapshot(
    { tenantId: 't', surface: 'home', segment: 'default', version: 'v1' },
    {
      popularity: {
        items: Object.entries(spec.popularity ?? {}).map(([item_id, score]) => ({
          item_id,
          score,
          count: 0,
        })),
      },
      cooc: { neighbors: lists(spec.cooc) },
      i2i: { neighbors: lists(spec.i2i) },
      session_seq: { neighbors: lists(spec.session) },
      implicit: {
        users: Object.entries(spec.history ?? {}).map(([user_id, items]) => ({
          user_id,
          items: Object.entries(items).map(([item_id, score]) => ({ item_id, score })),
        })),
      },
      catalog: {
        items: Object.entries(spec.catalog ?? {}).map(([item_id, c]) => ({
          item_id,
          tags: c.tags ?? [],
          available: c.available ?? true,
        })),
      },
    },
    options,
  );
}

export function makeRequest(overrides: Partial<RankingRequest> = {}): RankingRequest {
  return {
    surface: 'home',
    segment: 'default',
    k: 10,
    subjectId: 'u1',
    anchors: [],
    includeIds: [],
    excludeIds: [],
    requiredTags: [],
    forbiddenTags: [],
    maxPerTag: {},
    includeReasons: true,
    explain: 'none',
    includeTrace: false,
    ...overrides,
  };
}

export function makeConfig(overrides: Partial<RankingConfig> = {}): RankingConfig {
  return { ...defaultRankingConfig(), ...overrides };
}

export function makeInput(
  snapshot: SignalSnapshot | undefined,
  overrides: Partial<Omit<RankingInput, 'request' | 'config'>> & {
    request?: Partial<RankingRequest>;
    config?: Partial<RankingConfig>;
  } = {},
): RankingInput {
  return {
    snapshot,
    recent: overrides.recent ?? [],
    request: makeRequest(overrides.request),
    config: makeConfig(overrides.config),
    rules: overrides.rules ?? [],
    now: overrides.now ?? Date.UTC(2026, 0, 1),
  };
}

export function rule(partial: Partial<Rule> & Pick<Rule, 'id' | 'action'>): Rule {
  return { targetType: 'item', itemIds: [], priority: 0, enabled: true, ...partial };
}

/**
 * Artifacts as serving receives them (JSON text): 20k items with popularity and 20 i2i neighbours each
 * (fractional scores), 50k users with 5 history items. Built in a function of its own so that none of the
 * objects behind the text stay alive (memory measurements rely on it).
 */
export function largeArtifactsJson(item: (i: number) => string): string {
  return JSON.stringify({
    popularity: {
      items: Array.from({ length: 20_000 }, (_, i) => ({ item_id: item(i), score: 1 / (i + 1), count: 1 })),
    },
    i2i: {
      neighbors: Array.from({ length: 20_000 }, (_, i) => ({
        item_id: item(i),
        items: Array.from({ length: 20 }, (_, j) => ({
          item_id: item((i * 7 + j * 13 + 1) % 20_000),
          score: 1 / (j + 2),
        })),
      })),
    },
    implicit: {
      users: Array.from({ length: 50_000 }, (_, u) => ({
        user_id: `user-${u}`,
        items: Array.from({ length: 5 }, (_, j) => ({
          item_id: item((u * 31 + j) % 20_000),
          score: 5.5 - j,
        })),
      })),
    },
  });
}

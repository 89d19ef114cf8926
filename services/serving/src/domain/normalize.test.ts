import { RecommendRequest } from '@recsys/contracts-serving';
import { hashId, normalizeRecommend, subjectOf, toRankingRequest } from './normalize.js';

describe('normalizeRecommend', () => {
  it('when only surface and user are given, then reference defaults apply with three DEFAULT_APPLIED warnings in order', () => {
    const { request, warnings } = normalizeRecommend(
      RecommendRequest.parse({ surface: 'home', user: { user_id: 'u' } }),
    );
    expect(request).toEqual({
      surface: 'home',
      segment: 'default',
      k: 20,
      user: { user_id: 'u' },
      options: { include_reasons: false, explain: 'none', include_trace: false, seed: 0 },
    });
    expect(warnings.map((w) => w.detail)).toEqual([
      "segment defaulted to 'default'",
      'k defaulted to 20',
      'options defaulted',
    ]);
  });

  it('when anchors are given without max_anchors, then max_anchors defaults to 50 with a warning; given values warn nothing', () => {
    const parsed = RecommendRequest.parse({
      surface: 'home',
      segment: 'vip',
      k: 5,
      user: { session_id: 's' },
      anchors: { item_ids: ['a'] },
      options: { explain: 'Summary' },
    });
    const { request, warnings } = normalizeRecommend(parsed);
    expect(request.anchors).toEqual({ item_ids: ['a'], max_anchors: 50 });
    expect(request.options.explain).toBe('summary');
    expect(warnings.map((w) => w.detail)).toEqual(['anchors.max_anchors defaulted to 50']);
  });

  it('when building the engine request, then anchors are truncated to max_anchors and the subject is the hashed first id', () => {
    const parsed = RecommendRequest.parse({
      surface: 'home',
      user: { anonymous_id: 'anon', session_id: 'sess' },
      anchors: { item_ids: ['a', 'b', 'c'], max_anchors: 3 },
      candidates: { include_ids: ['x'], exclude_ids: ['y'] },
      constraints: { required_tags: ['T'], max_per_tag: { t: 1 } },
    });
    const { request } = normalizeRecommend(parsed);
    expect(subjectOf(request.user)).toBe('sess');
    const engine = toRankingRequest(request, hashId('sess', 'salt'));
    expect(engine.subjectId).toMatch(/^[0-9a-f]{64}$/);
    expect(engine.anchors).toEqual(['a', 'b', 'c']);
    expect(engine.includeIds).toEqual(['x']);
    expect(engine.excludeIds).toEqual(['y']);
    expect(engine.requiredTags).toEqual(['t']);
    expect(engine.maxPerTag).toEqual({ t: 1 });
    expect(hashId('sess', undefined)).toBe('sess');
  });
});

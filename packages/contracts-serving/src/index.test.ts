import { ExposureEvent, RecommendRequest, SimilarRequest } from './index.js';

/** 422 when every issue is marked `params.status = 422`, else 400 (the rule platform/http applies). */
function statusOf(body: unknown, schema: { safeParse: (v: unknown) => any } = RecommendRequest): number {
  const result = schema.safeParse(body);
  if (result.success) return 200;
  return result.error.issues.every((i: any) => i.params?.status === 422) ? 422 : 400;
}

const base = { surface: 'home', user: { user_id: 'u1' } };

describe('RecommendRequest', () => {
  it('when minimal, then it parses with defaults left absent for the service to apply', () => {
    const parsed = RecommendRequest.parse(base);
    expect(parsed).toEqual({ surface: 'home', user: { user_id: 'u1' } });
  });

  it('when the surface is missing, blank or unsafe, then 400', () => {
    expect(statusOf({ user: { user_id: 'u' } })).toBe(400);
    expect(statusOf({ ...base, surface: '  ' })).toBe(400);
    for (const surface of ['../x', 'a/b', '.', 'a\\b']) expect(statusOf({ ...base, surface })).toBe(400);
    expect(statusOf({ ...base, segment: '..' })).toBe(400);
  });

  it('when no user id is given, then 422; unknown fields 400', () => {
    expect(statusOf({ surface: 'home' })).toBe(422);
    expect(statusOf({ surface: 'home', user: { user_id: '  ' } })).toBe(422);
    expect(statusOf({ ...base, tenant_id: 'x' })).toBe(400);
    expect(statusOf({ ...base, user: { user_id: 'u', other: 1 } })).toBe(400);
  });

  it('when k is out of range, then 400; 200 is accepted', () => {
    expect(statusOf({ ...base, k: 0 })).toBe(400);
    expect(statusOf({ ...base, k: 201 })).toBe(400);
    expect(statusOf({ ...base, k: 1.5 })).toBe(400);
    expect(statusOf({ ...base, k: 200 })).toBe(200);
  });

  it('when explain is mixed case it is normalized; unknown explain → 422', () => {
    expect(RecommendRequest.parse({ ...base, options: { explain: ' FULL ' } }).options?.explain).toBe('full');
    expect(statusOf({ ...base, options: { explain: 'verbose' } })).toBe(422);
  });

  it('when anchors, include ids or tags exceed their limits, then 400; max_anchors < ids → 422', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `i${i}`);
    expect(statusOf({ ...base, anchors: { item_ids: ids(51) } })).toBe(400);
    expect(statusOf({ ...base, anchors: { item_ids: ids(50) } })).toBe(200);
    expect(statusOf({ ...base, anchors: { item_ids: ids(3), max_anchors: 2 } })).toBe(422);
    expect(statusOf({ ...base, anchors: { item_ids: ids(1), max_anchors: 0 } })).toBe(422);
    expect(statusOf({ ...base, anchors: { item_ids: [], max_anchors: 0 } })).toBe(400);
    expect(statusOf({ ...base, candidates: { include_ids: ids(5001) } })).toBe(400);
    expect(statusOf({ ...base, candidates: { exclude_ids: ids(5001) } })).toBe(400);
    expect(statusOf({ ...base, constraints: { required_tags: ids(201) } })).toBe(400);
    expect(statusOf({ ...base, constraints: { forbidden_tags: ids(201) } })).toBe(400);
  });

  it('when max_per_tag or weights are negative, then 422', () => {
    expect(statusOf({ ...base, constraints: { max_per_tag: { a: -1 } } })).toBe(422);
    expect(statusOf({ ...base, weights: { pop: -0.1 } })).toBe(422);
    expect(statusOf({ ...base, weights: { pop: 1, cooc: 0.5, emb: 0 } })).toBe(200);
  });

  it('when tags and ids repeat or have blanks, then they are trimmed, lower-cased and de-duplicated', () => {
    const parsed = RecommendRequest.parse({
      ...base,
      anchors: { item_ids: [' a ', 'a', '', 'b'] },
      constraints: { required_tags: ['X', ' x', 'y '], max_per_tag: { ' Shoes ': 2, ' ': 1 } },
    });
    expect(parsed.anchors?.item_ids).toEqual(['a', 'b']);
    expect(parsed.constraints?.required_tags).toEqual(['x', 'y']);
    expect(parsed.constraints?.max_per_tag).toEqual({ shoes: 2 });
  });

  it('when context.now is RFC 3339 it is re-formatted to UTC seconds; otherwise 400', () => {
    const parsed = RecommendRequest.parse({ ...base, context: { now: '2026-01-02T03:04:05.678+02:00' } });
    expect(parsed.context?.now).toBe('2026-01-02T01:04:05Z');
    expect(statusOf({ ...base, context: { now: 'yesterday' } })).toBe(400);
  });

  it('when the experiment object is blank, then it is dropped', () => {
    expect(
      RecommendRequest.parse({ ...base, experiment: { id: ' ', variant: '' } }).experiment,
    ).toBeUndefined();
  });
});

describe('SimilarRequest', () => {
  it('when item_id is missing, then 400; user is not a field', () => {
    expect(statusOf({ surface: 'home' }, SimilarRequest)).toBe(400);
    expect(statusOf({ surface: 'home', item_id: 'a', user: {} }, SimilarRequest)).toBe(400);
    expect(statusOf({ surface: 'home', item_id: 'a' }, SimilarRequest)).toBe(200);
  });
});

describe('ExposureEvent', () => {
  it('when shaped as the brief says, then it parses', () => {
    const event = {
      v: 1,
      event_id: 'r1:recommend',
      request_id: 'r1',
      tenant_id: 'demo',
      surface: 'home',
      segment: 'default',
      endpoint: 'recommend',
      user_id: 'u1',
      occurred_at: '2026-01-01T00:00:00Z',
      items: [{ item_id: 'a', rank: 1, score: 0.5 }],
      algo_version: 'recsys-algo@local',
      experiment: { id: 'e', variant: 'A' },
    };
    expect(ExposureEvent.parse(event)).toEqual(event);
    expect(ExposureEvent.safeParse({ ...event, endpoint: 'validate' }).success).toBe(false);
  });
});

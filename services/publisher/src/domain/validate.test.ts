import { seal } from './artifacts/envelope.js';
import { validateArtifacts } from './validate.js';

const env = {
  v: 1,
  tenant: 'acme',
  surface: 'home',
  segment: 'default',
  window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' },
  build: { built_at: '2026-01-02T00:00:00.000Z', version: 't', source_hash: 'x', params: {} },
  counts: {},
};
const popularity = () =>
  seal({ ...env, artifact_type: 'popularity', items: [{ item_id: 'a', score: 1, count: 1 }] });
const catalog = () =>
  seal({ ...env, artifact_type: 'catalog', items: [{ item_id: 'a', tags: [], available: true }] });
const cooc = (neighbour: string) =>
  seal({
    ...env,
    artifact_type: 'cooc',
    neighbors: [{ item_id: 'a', items: [{ item_id: neighbour, score: 0.5 }] }],
  });
const limits = { maxArtifactBytes: 1_000_000 };

describe('validateArtifacts', () => {
  it('when the set is well-formed, then it passes and reports bytes per kind', () => {
    const result = validateArtifacts(
      { popularity: popularity(), catalog: catalog(), cooc: cooc('a') },
      limits,
    );
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.bytes.popularity).toBeGreaterThan(100);
  });

  it('when a score is NaN, then it is refused naming the path', () => {
    const bad = { ...popularity(), items: [{ item_id: 'a', score: NaN, count: 1 }] };
    expect(validateArtifacts({ popularity: bad }, limits).errors).toEqual([
      'popularity: non-finite number at popularity.items[0].score',
    ]);
  });

  it('when the content changed after sealing, then the checksum mismatch is reported', () => {
    const tampered = { ...popularity(), items: [{ item_id: 'b', score: 1, count: 1 }] };
    expect(validateArtifacts({ popularity: tampered }, limits).errors).toEqual([
      'popularity: checksum mismatch',
    ]);
  });

  it('when an artifact is empty, too large, or breaks the schema, then each is reported', () => {
    const empty = seal({ ...env, artifact_type: 'popularity', items: [] });
    expect(validateArtifacts({ popularity: empty }, limits).errors).toEqual(['popularity: empty']);
    expect(validateArtifacts({ popularity: popularity() }, { maxArtifactBytes: 10 }).errors[0]).toMatch(
      /above the limit of 10/,
    );
    const wrong = seal({ ...env, artifact_type: 'popularity', items: [{ item_id: '', score: 1, count: 1 }] });
    expect(validateArtifacts({ popularity: wrong }, limits).errors[0]).toMatch(
      /^popularity: schema: items\.0\.item_id/,
    );
  });

  it('when a catalog is part of the set, then neighbours unknown to it are refused', () => {
    const result = validateArtifacts(
      { popularity: popularity(), catalog: catalog(), cooc: cooc('ghost') },
      limits,
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual(['cooc: 1 item ids unknown to the catalog (e.g. "ghost")']);
  });

  it('when popularity is missing or the tenant differs from the expected one, then it is refused', () => {
    expect(validateArtifacts({ catalog: catalog() }, limits).errors).toContain(
      'popularity artifact is required',
    );
    expect(
      validateArtifacts({ popularity: popularity() }, limits, {
        tenant: 'other',
        surface: 'home',
        segment: 'default',
      }).errors,
    ).toEqual(['popularity: tenant is acme, expected other']);
  });
});

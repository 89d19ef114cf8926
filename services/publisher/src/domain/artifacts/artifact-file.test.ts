import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact } from '@recsys/contracts-publisher';
import { canonicalJson } from '../canonical.js';
import { DAY_MS, type InputRecord } from '../events.js';
import { ALL_KINDS, artifactSteps, type BuildParams } from '../pipeline.js';
import { ArtifactValidator, RowChecker } from '../validate.js';
import { Accumulator, DEFAULT_TYPE_WEIGHTS } from './accumulate.js';
import { StreamedArtifactFile } from './artifact-file.js';
import { collect, envelope, seal, type EnvelopeBase } from './envelope.js';

const T0 = Date.parse('2026-01-10T00:00:00Z');
const HOUR = 3_600_000;

const base: EnvelopeBase = {
  tenant: 'acme',
  surface: 'home',
  segment: 'default',
  window: { start: new Date(T0 - 30 * DAY_MS).toISOString(), end: new Date(T0).toISOString() },
  builtAt: new Date(T0).toISOString(),
  publisherVersion: 'test',
  sourceHash: 'x',
};

const build: BuildParams = {
  kinds: ALL_KINDS,
  halfLifeMs: 7 * DAY_MS,
  topN: 5,
  minSupport: 1,
  easeLambda: 10,
  easeItems: 50,
  maxItems: 1000,
  maxUsers: 1000,
  maxPairs: 1_000_000,
  maxItemsPerUser: 10,
  maxPopularityItems: 100,
  maxMemoryBytes: 64 * 2 ** 20,
  maxArtifactBytes: 10 * 2 ** 20,
  sessionGapMs: HOUR,
  maxItemsPerSession: 50,
  userWindowMs: 0,
  userWindowItems: 0,
  userWindowWeight: 0,
};

/** A few hundred purchases over 40 items (ids out of order, one with a quote and a non-ASCII letter). */
function accumulated() {
  const acc = new Accumulator({
    asOf: T0,
    window: { start: T0 - 30 * DAY_MS, end: T0 },
    halfLifeMs: build.halfLifeMs,
    historyHalfLifeMs: build.halfLifeMs,
    typeWeights: DEFAULT_TYPE_WEIGHTS,
    sessionGapMs: HOUR,
    maxItemsPerSession: 50,
    userWindowMs: 0,
    userWindowItems: 0,
    userWindowWeight: 0,
    maxItems: 1000,
    maxUsers: 1000,
    maxPairs: 1_000_000,
  });
  const item = (n: number) => (n === 7 ? 'é"7' : `item-${(n * 7919) % 40}`);
  let seed = 1;
  const next = () => (seed = (seed * 48271) % 2147483647);
  for (let n = 0; n < 40; n++) {
    const record: InputRecord = {
      kind: 'catalog',
      at: T0 - 20 * DAY_MS,
      item: {
        itemId: item(n),
        title: `Item ${n}`,
        tags: n % 3 ? ['Red', `t${n % 5}`] : [],
        available: n % 4 !== 0,
      },
    };
    acc.add(record);
  }
  for (let s = 0; s < 120; s++) {
    const user = `u${next() % 25}`;
    const at = T0 - (next() % (25 * DAY_MS));
    for (let k = 0; k < 1 + (next() % 4); k++)
      acc.add({
        kind: 'event',
        event: {
          type: 'purchase',
          itemId: item(next() % 40),
          userId: user,
          sessionId: `s${s}`,
          at: at + k * 60_000,
        },
      });
  }
  return acc.finish();
}

describe('StreamedArtifactFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'artifact-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when every artifact is written row by row, then each file holds the canonical JSON of the in-memory artifact, with its checksum and digest', () => {
    const inMemory = [...artifactSteps(accumulated(), base, build)].map((step) =>
      collect<Artifact>(step.write),
    );
    const streamed = [...artifactSteps(accumulated(), base, build)];
    expect(streamed.map((s) => s.kind)).toEqual(ALL_KINDS.slice(0, 5).concat(['catalog', 'content_sim']));
    streamed.forEach((step, i) => {
      const file = new StreamedArtifactFile(join(dir, `${step.kind}.json`));
      const head = step.write((row) => file.row(row));
      const digest = file.finish(head);
      const bytes = readFileSync(file.path);
      const expected = inMemory[i]!;
      expect(file.rows).toBeGreaterThan(0);
      expect(bytes.toString('utf8')).toBe(canonicalJson(expected));
      expect(digest).toEqual({
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.byteLength,
        checksum: expected.checksum,
      });
    });
    // Only the artifact files are left (the side files of the rows are gone).
    expect(readdirSync(dir).sort()).toEqual(ALL_KINDS.map((k) => `${k}.json`).sort());
  });

  it('when an artifact has no rows, then its file is still the canonical document with an empty body', () => {
    const file = new StreamedArtifactFile(join(dir, 'cooc.json'));
    const head = { ...envelope(base, 'cooc', {}, { items: 0 }), artifact_type: 'cooc' as const };
    file.finish(head);
    expect(readFileSync(file.path, 'utf8')).toBe(canonicalJson(collect(() => head)));
  });

  it('when a row holds a non-finite number, then it is left out and reported; discard removes everything', () => {
    const file = new StreamedArtifactFile(join(dir, 'popularity.json'));
    file.row({ item_id: 'a', score: 1, count: 1 });
    file.row({ item_id: 'b', score: Number.NaN, count: 1 });
    expect(file.problem).toBe('row 1: non-finite number NaN in canonical JSON');
    file.discard();
    expect(existsSync(file.path) || readdirSync(dir).length > 0).toBe(false);
  });
});

describe('ArtifactValidator.addStreamed', () => {
  const limits = { maxArtifactBytes: 1_000_000 };
  const head = (kind: Artifact['artifact_type']) => ({
    ...envelope(base, kind, {}, {}),
    artifact_type: kind,
  });
  const checked = (kind: Artifact['artifact_type'], rows: Record<string, unknown>[]) => {
    const checker = new RowChecker(kind);
    for (const row of rows) checker.add(row);
    checker.flush();
    return checker;
  };

  it('when streamed rows are well-formed and name catalog items, then the set passes', () => {
    const validator = new ArtifactValidator(limits, { tenant: 'acme', surface: 'home', segment: 'default' });
    const pop = checked('popularity', [{ item_id: 'a', score: 1, count: 1 }]);
    expect(validator.addStreamed('popularity', head('popularity'), pop, 100, null)).toBe(true);
    const cat = checked('catalog', [{ item_id: 'a', tags: [], available: true }]);
    expect(validator.addStreamed('catalog', head('catalog'), cat, 100, null)).toBe(true);
    expect(validator.finish()).toEqual({ ok: true, errors: [], bytes: { popularity: 100, catalog: 100 } });
  });

  it('when a row breaks the schema, repeats an id, names an unknown item, is empty or too large, then each is reported', () => {
    const validator = new ArtifactValidator(limits);
    const rows = Array.from({ length: 5_003 }, (_, i) => ({ item_id: `i${i}`, score: 1, count: 1 }));
    rows[5_001] = { item_id: 'x', score: 1, count: -1 };
    expect(
      validator.addStreamed('popularity', head('popularity'), checked('popularity', rows), 10, null),
    ).toBe(false);
    const cooc = checked('cooc', [
      { item_id: 'i1', items: [{ item_id: 'nope', score: 0.5 }] },
      { item_id: 'i1', items: [] },
    ]);
    expect(validator.addStreamed('cooc', head('cooc'), cooc, 2_000_000, null)).toBe(false);
    validator.addStreamed(
      'catalog',
      head('catalog'),
      checked('catalog', [{ item_id: 'i1', tags: [] }]),
      10,
      null,
    );
    expect(validator.addStreamed('i2i', head('i2i'), checked('i2i', []), 10, null)).toBe(false);
    expect(validator.finish().errors).toEqual([
      'popularity: schema: items.5001.count Too small: expected number to be >=0',
      'cooc: 2000000 bytes, above the limit of 1000000',
      'cooc: duplicate row "i1"',
      'i2i: empty',
      'cooc: 1 item ids unknown to the catalog (e.g. "nope")',
    ]);
  });

  it('when implicit rows name users, then only their items are checked against the catalog, as for an in-memory artifact', () => {
    const users = [{ user_id: 'u-not-an-item', items: [{ item_id: 'gone', score: 1 }] }];
    const streamed = new ArtifactValidator(limits);
    streamed.addStreamed(
      'catalog',
      head('catalog'),
      checked('catalog', [{ item_id: 'a', tags: [] }]),
      10,
      null,
    );
    streamed.addStreamed('implicit', head('implicit'), checked('implicit', users), 10, null);
    const inMemory = new ArtifactValidator(limits);
    inMemory.add('catalog', seal({ ...head('catalog'), items: [{ item_id: 'a', tags: [] }] }));
    inMemory.add('implicit', seal({ ...head('implicit'), users }));
    const unknown = 'implicit: 1 item ids unknown to the catalog (e.g. "gone")';
    expect(streamed.finish().errors).toContain(unknown);
    expect(inMemory.finish().errors).toContain(unknown);
  });
});

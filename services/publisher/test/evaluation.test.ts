/**
 * End-to-end tests of `recsys-publisher eval …` through runEvalCommand on small JSONL fixtures whose expected values
 * are computed by hand in each test.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEvalCommand } from '../src/evaluation/cli.js';
import { EvalReportSchema, reportJsonSchema, writeReports } from '../src/evaluation/report.js';
import { validateJsonSchema } from './support/json-schema.js';

const T0 = Date.parse('2026-11-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

interface ExposureSpec {
  request_id: string;
  items: string[];
  surface?: string;
  segment?: string;
  user_id?: string;
  at?: number;
  propensities?: (number | undefined)[];
  experiment?: { id: string; variant: string };
}

function exposure(spec: ExposureSpec): Record<string, unknown> {
  return {
    kind: 'exposure',
    cursor: 'c-' + spec.request_id,
    v: 1,
    event_id: `${spec.request_id}:recommend`,
    request_id: spec.request_id,
    tenant_id: 't1',
    surface: spec.surface ?? 'home',
    segment: spec.segment ?? 'default',
    endpoint: 'recommend',
    ...(spec.user_id ? { user_id: spec.user_id } : {}),
    occurred_at: iso(spec.at ?? T0),
    items: spec.items.map((item_id, i) => ({
      item_id,
      rank: i + 1,
      score: 1 - i / 100,
      ...(spec.propensities?.[i] !== undefined ? { propensity: spec.propensities[i] } : {}),
    })),
    algo_version: 'blend-v1',
    ...(spec.experiment ? { experiment: spec.experiment } : {}),
  };
}

let outcomeSeq = 0;
function outcome(spec: {
  item_id: string;
  type?: string;
  request_id?: string;
  user_id?: string;
  value?: number;
  at?: number;
  surface?: string;
}): Record<string, unknown> {
  return {
    kind: 'outcome',
    event_id: `o-${++outcomeSeq}`,
    tenant_id: 't1',
    type: spec.type ?? 'click',
    item_id: spec.item_id,
    ...(spec.request_id ? { request_id: spec.request_id } : {}),
    ...(spec.user_id ? { user_id: spec.user_id } : {}),
    ...(spec.value !== undefined ? { value: spec.value } : {}),
    ...(spec.surface ? { surface: spec.surface } : {}),
    occurred_at: iso(spec.at ?? T0 + 60_000),
  };
}

let assignmentSeq = 0;
function assignment(spec: {
  experiment_id: string;
  variant: string;
  user_id?: string;
  request_id?: string;
  at?: number;
}): Record<string, unknown> {
  return {
    kind: 'assignment',
    event_id: `a-${++assignmentSeq}`,
    tenant_id: 't1',
    experiment_id: spec.experiment_id,
    variant: spec.variant,
    ...(spec.user_id ? { user_id: spec.user_id } : {}),
    ...(spec.request_id ? { request_id: spec.request_id } : {}),
    occurred_at: iso(spec.at ?? T0 - 1000),
  };
}

async function tempDir(): Promise<{
  dir: string;
  file: (name: string, lines: unknown[]) => Promise<string>;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-eval-'));
  return {
    dir,
    file: async (name, lines) => {
      const path = join(dir, name);
      await writeFile(
        path,
        lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
      );
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs `eval …` capturing output. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runEvalCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function readJson(path: string): Promise<any> {
  return JSON.parse(await readFile(path, 'utf8'));
}

// ---- tests -------------------------------------------------------------------------------------------------

const NOW = '2026-11-23T12:00:00Z';
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('eval offline', () => {
  it('when recs are [i1,i2,i3] with relevant {i1,i3}, then precision@2 = recall@2 = 0.5, MAP@3 ≈ 0.8333, NDCG@3 ≈ 0.9197, hitrate@1 = 1', async () => {
    const exposures = await tmp.file('exp.jsonl', [
      exposure({ request_id: 'r1', items: ['i1', 'i2', 'i3'] }),
    ]);
    const outcomes = await tmp.file('out.jsonl', [
      outcome({ item_id: 'i1', request_id: 'r1' }),
      outcome({ item_id: 'i3', request_id: 'r1', type: 'purchase', value: 5 }),
      outcome({ item_id: 'i2', request_id: 'r1', type: 'view' }), // not a relevant type
    ]);
    const metricsAt = async (k: number, extra: string[] = []) => {
      const out = join(tmp.dir, `k${k}-${extra.length}`);
      const result = await run([
        'offline',
        '--exposures',
        exposures,
        '--outcomes',
        outcomes,
        '--k',
        String(k),
        '--out',
        out,
        ...extra,
      ]);
      expect(result.code).toBe(0);
      return (await readJson(join(out, 'report.json'))).offline.global.metrics as Record<string, number>;
    };
    const at2 = await metricsAt(2);
    // top-2 = [i1, i2]: one hit in two slots, one of the two relevant items found.
    expect(at2['precision@2']).toBe(0.5);
    expect(at2['recall@2']).toBe(0.5);
    // AP@2 = (1/1) / min(2 relevant, 2) = 0.5; NDCG@2 = (1/log2 2) / (1/log2 2 + 1/log2 3) ≈ 0.6131
    expect(at2['map@2']).toBe(0.5);
    expect(at2['ndcg@2']).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 9);
    expect(at2['hitrate@2']).toBe(1);
    // coverage@2: 2 distinct items in the top-2 / 3 items seen (i1, i2, i3 in the list or relevant set)
    expect(at2['coverage@2']).toBeCloseTo(2 / 3, 9);
    const at3 = await metricsAt(3);
    // AP@3 = (1/1 + 2/3) / min(2, 3) ≈ 0.8333
    expect(at3['map@3']).toBeCloseTo((1 / 1 + 2 / 3) / 2, 9);
    expect(at3['map@3']).toBeCloseTo(0.8333, 4);
    // DCG@3 = 1/log2 2 + 1/log2 4 = 1.5; IDCG = 1 + 1/log2 3 ≈ 1.6309 → NDCG@3 ≈ 0.9197
    expect(at3['ndcg@3']).toBeCloseTo((1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)), 9);
    expect(at3['ndcg@3']).toBeCloseTo(0.9197, 4);
    expect(at3['precision@3']).toBeCloseTo(2 / 3, 9);
    expect(at3['recall@3']).toBe(1);
    expect(at3['hitrate@3']).toBe(1);
    expect(at3['coverage@3']).toBe(1); // 3 shown / 3 seen
    // Each item fills 1 of the 3 list slots: self-information −log2(1/3) ≈ 1.585 bits for every top-3 slot.
    expect(at3['novelty@3']).toBeCloseTo(Math.log2(3), 9);
    // Three different items: every pair is dissimilar (items compared by id) → 1; counts (1,1,1) → entropy 1.
    expect(at3['diversity@3']).toBe(1);
    expect(at3['entropy@3']).toBeCloseTo(1, 12);
    // Against a catalog of 6 items, 3 shown → coverage 0.5.
    expect((await metricsAt(3, ['--catalog-size', '6']))['coverage@3']).toBe(0.5);
    expect((await metricsAt(1))['hitrate@1']).toBe(1);
  });

  it('when exposures span segments and surfaces, then global and per-slice metrics are averaged over cases', async () => {
    const exposures = await tmp.file('exp.jsonl', [
      exposure({ request_id: 'r1', items: ['i1', 'i2'], surface: 'home', segment: 'new' }),
      exposure({ request_id: 'r2', items: ['i1', 'i3'], surface: 'pdp', segment: 'new' }),
      exposure({ request_id: 'r3', items: ['i4', 'i5'], surface: 'home', segment: 'vip' }),
      exposure({ request_id: 'r1', items: ['i9'], surface: 'home', segment: 'new' }), // duplicate request id: ignored
    ]);
    const outcomes = await tmp.file('out.jsonl', [
      outcome({ item_id: 'i2', request_id: 'r1' }),
      outcome({ item_id: 'i3', request_id: 'r2' }),
      outcome({ item_id: 'i1', request_id: 'r2' }),
      outcome({ item_id: 'zz', request_id: 'r-unknown' }), // joins nothing
    ]);
    const out = join(tmp.dir, 'report');
    const result = await run([
      'offline',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--k',
      '2',
      '--out',
      out,
      '--bootstrap',
      '0',
    ]);
    expect(result.code).toBe(0);
    const report = await readJson(join(out, 'report.json'));
    // precision@2 per case: r1 1/2, r2 2/2, r3 0 → global 0.5; recall: r1 1, r2 1, r3 0 → 2/3
    expect(report.offline.global.metrics['precision@2']).toBeCloseTo(0.5, 10);
    expect(report.offline.global.metrics['recall@2']).toBeCloseTo(2 / 3, 10);
    expect(report.offline.by_segment.new.metrics['precision@2']).toBeCloseTo(0.75, 10);
    expect(report.offline.by_segment.vip.metrics['precision@2']).toBe(0);
    expect(report.offline.by_surface.home.metrics['hitrate@2']).toBe(0.5);
    expect(report.offline.by_surface.pdp.metrics['ndcg@2']).toBe(1);
    // top-2 items i1 ×2, i2, i3, i4, i5 over 6 slots: novelty = (2·log2 3 + 4·log2 6) / 6
    expect(report.offline.global.metrics['novelty@2']).toBeCloseTo(
      (2 * Math.log2(3) + 4 * Math.log2(6)) / 6,
      9,
    );
    expect(report.offline.global.metrics['coverage@2']).toBe(1);
    expect(report.counts.exposures).toBe(3);
    expect(report.counts.duplicate_exposure_request_ids).toBe(1);
    expect(report.counts.outcomes_joined).toBe(3);
    expect(report.counts.outcome_join_rate).toBe(0.75);
    expect(report.warnings.join(' ')).toMatch(/duplicate exposure request id/);
  });

  it('when a catalog with tags is given, then coverage uses the catalog size and diversity uses tags', async () => {
    const exposures = await tmp.file('exp.jsonl', [exposure({ request_id: 'r1', items: ['a', 'b', 'c'] })]);
    const outcomes = await tmp.file('out.jsonl', []);
    const catalog = await tmp.file('catalog.jsonl', [
      ...[
        ['a', ['x', 'y']],
        ['b', ['x', 'y']],
        ['c', ['y', 'z']],
        ['d', []],
        ['e', []],
        ['f', []],
      ].map(([item_id, tags]) => ({
        kind: 'catalog.upsert',
        event_id: `c-${item_id}`,
        item: { item_id, tags, available: true },
      })),
    ]);
    const out = join(tmp.dir, 'report');
    expect(
      (
        await run([
          'offline',
          '--exposures',
          exposures,
          '--outcomes',
          outcomes,
          '--k',
          '3',
          '--catalog',
          catalog,
          '--out',
          out,
        ])
      ).code,
    ).toBe(0);
    const report = await readJson(join(out, 'report.json'));
    expect(report.offline.global.metrics['coverage@3']).toBe(0.5); // 3 shown / 6 in the catalog
    expect(report.offline.global.metrics['diversity@3']).toBeCloseTo(4 / 9, 9); // (0 + 2/3 + 2/3) / 3
    expect(report.offline.diversity_basis).toBe('tags');
  });

  it('when an outcome has no request id, then it counts for the same user within the attribution window only', async () => {
    const exposures = await tmp.file('exp.jsonl', [
      exposure({ request_id: 'r1', items: ['i1', 'i2'], user_id: 'u1' }),
    ]);
    const hour = 3_600_000;
    const within = await tmp.file('within.jsonl', [outcome({ item_id: 'i2', user_id: 'u1', at: T0 + hour })]);
    const late = await tmp.file('late.jsonl', [
      outcome({ item_id: 'i2', user_id: 'u1', at: T0 + 48 * hour }),
    ]);
    const other = await tmp.file('other.jsonl', [outcome({ item_id: 'i2', user_id: 'u2', at: T0 + hour })]);
    const hit = async (file: string, extra: string[] = []) => {
      const out = join(tmp.dir, `r-${Math.random()}`);
      await run([
        'offline',
        '--exposures',
        exposures,
        '--outcomes',
        file,
        '--k',
        '2',
        '--out',
        out,
        ...extra,
      ]);
      return (await readJson(join(out, 'report.json'))).offline.global.metrics['hitrate@2'];
    };
    expect(await hit(within)).toBe(1);
    expect(await hit(late)).toBe(0);
    expect(await hit(late, ['--attribution-window', '3d'])).toBe(1);
    expect(await hit(other)).toBe(0);
  });

  it('when the candidate is worse than the baseline beyond tolerance, then exit 1 and the report is still written', async () => {
    const exposures = await tmp.file('exp.jsonl', [
      exposure({ request_id: 'r1', items: ['i1', 'i2'] }),
      exposure({ request_id: 'r2', items: ['i3', 'i4'] }),
    ]);
    const outcomes = await tmp.file('out.jsonl', [outcome({ item_id: 'i1', request_id: 'r1' })]);
    const baseline = await tmp.file('baseline.json', [
      { offline: { global: { metrics: { 'ndcg@2': 0.9, 'precision@2': 0.25 } } } },
    ]);
    const out = join(tmp.dir, 'gate');
    // ndcg@2 = (1 + 0) / 2 = 0.5: a drop of 0.4
    const failed = await run([
      'offline',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--k',
      '2',
      '--baseline',
      baseline,
      '--tolerances',
      '{"ndcg@2":0.1,"precision@2":0}',
      '--out',
      out,
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/gate ndcg@2: FAIL/);
    const report = await readJson(join(out, 'report.json'));
    expect(report.status).toBe('regressed');
    expect(report.offline.gates.results).toEqual([
      { metric: 'ndcg@2', baseline: 0.9, candidate: 0.5, delta: -0.4, tolerance: 0.1, passed: false },
      { metric: 'precision@2', baseline: 0.25, candidate: 0.25, delta: 0, tolerance: 0, passed: true },
    ]);
    await expect(readFile(join(out, 'report.html'), 'utf8')).resolves.toMatch(/regression gates FAILED/);
    const passed = await run([
      'offline',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--k',
      '2',
      '--baseline',
      baseline,
      '--tolerances',
      '{"ndcg@2":0.5}',
    ]);
    expect(passed.code).toBe(0);
    // A previous report of this tool is a valid baseline; without --tolerances the case metrics gate at 0.
    const again = await run([
      'offline',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--k',
      '2',
      '--baseline',
      join(out, 'report.json'),
    ]);
    expect(again.code).toBe(0);
    const missing = await run([
      'offline',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--k',
      '2',
      '--baseline',
      baseline,
      '--tolerances',
      '{"map@2":0}',
    ]);
    expect(missing.code).toBe(1); // a metric missing from the baseline fails its gate
  });

  it('when run twice with the same seed and --now, then report.json is byte-identical and valid against EvalReportSchema', async () => {
    const exposures = await tmp.file('exp.jsonl', [
      exposure({ request_id: 'r1', items: ['i1', 'i2'], at: T0 }),
      exposure({ request_id: 'r2', items: ['i3', 'i1'], at: T0 + 86_400_000 }),
      exposure({ request_id: 'r3', items: ['i2', 'i4'], at: T0 + 2 * 86_400_000 }),
    ]);
    const outcomes = await tmp.file('out.jsonl', [
      outcome({ item_id: 'i1', request_id: 'r1' }),
      outcome({ item_id: 'i1', request_id: 'r2' }),
    ]);
    const args = [
      'offline',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--k',
      '2',
      '--seed',
      '7',
      '--now',
      NOW,
    ];
    await run([...args, '--out', join(tmp.dir, 'a')]);
    await run([...args, '--out', join(tmp.dir, 'b')]);
    const a = await readFile(join(tmp.dir, 'a', 'report.json'), 'utf8');
    const b = await readFile(join(tmp.dir, 'b', 'report.json'), 'utf8');
    // Only the recorded --out argument differs.
    expect(b.replaceAll(join(tmp.dir, 'b'), join(tmp.dir, 'a'))).toBe(a);
    const report = EvalReportSchema.parse(JSON.parse(a));
    expect(report.tool.version).toBe('0.1.0');
    expect(report.window).toEqual({ from: iso(T0), to: iso(T0 + 2 * 86_400_000) });
    expect(report.config.args).toEqual([...args.slice(1), '--out', join(tmp.dir, 'a')]);
    expect(report.offline!.global.intervals!['hitrate@2']!.lo).toBeLessThanOrEqual(
      report.offline!.global.metrics['hitrate@2']!,
    );
    expect(report.series.find((s) => s.metric === 'hitrate@2')!.points.map((p) => p.value)).toEqual([
      1, 1, 0,
    ]);
    const html = await readFile(join(tmp.dir, 'a', 'report.html'), 'utf8');
    expect(html).toMatch(/<svg[^>]*aria-label="ndcg@2 per segment and surface"/);
    expect(html).toMatch(/<svg[^>]*aria-label="hitrate@2 by day"/);
    expect(html).toMatch(/<polyline/);
    const md = await readFile(join(tmp.dir, 'a', 'report.md'), 'utf8');
    expect(md).toMatch(/\| precision@2 \| 0\.333333 \| \[[\d.]+, [\d.]+\] \|/); // (1/2 + 1/2 + 0) / 3
  });
});

describe('eval validate', () => {
  it('when every line is valid, then exit 0 and outcomes joined to exposures by request id are counted', async () => {
    const exposures = await tmp.file('exp.jsonl', [
      exposure({ request_id: 'r1', items: ['i1'] }),
      exposure({ request_id: 'r2', items: [] }),
    ]);
    const outcomes = await tmp.file('out.jsonl', [
      outcome({ item_id: 'i1', request_id: 'r1' }),
      outcome({ item_id: 'i1', request_id: 'r9' }),
      outcome({ item_id: 'i1', user_id: 'u1' }),
      { kind: 'catalog.delete', event_id: 'x', tenant_id: 't1', item_id: 'i1', occurred_at: iso(T0) }, // other kind: skipped
    ]);
    const assignments = await tmp.file('asg.jsonl', [
      assignment({ experiment_id: 'e1', variant: 'A', request_id: 'r2' }),
    ]);
    const out = join(tmp.dir, 'v');
    const result = await run([
      'validate',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--assignments',
      assignments,
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const report = EvalReportSchema.parse(await readJson(join(out, 'report.json')));
    expect(report.status).toBe('valid');
    expect(report.validate!.joins).toEqual({
      duplicate_exposure_request_ids: 0,
      outcomes_with_request_id: 2,
      outcomes_joined: 1,
      outcome_join_rate: 0.5,
      assignments_with_request_id: 1,
      assignments_joined: 1,
    });
    expect(report.validate!.files.map((f) => [f.role, f.valid, f.invalid, f.skipped])).toEqual([
      ['exposures', 2, 0, 0],
      ['outcomes', 3, 0, 1],
      ['assignments', 1, 0, 0],
    ]);
  });

  it('when lines are invalid, then exit 1 and each is reported with its line number and reason', async () => {
    const good = exposure({ request_id: 'r1', items: ['i1'] });
    const exposures = await tmp.file('exp.jsonl', [
      good,
      '{not json',
      { ...good, request_id: '' },
      '',
      { ...good, items: [{ item_id: 'i1', rank: 0, score: 1 }] },
      { ...good, kind: 'bogus' },
    ]);
    const outcomes = await tmp.file('out.jsonl', [
      { ...outcome({ item_id: 'i1' }), occurred_at: 'yesterday' },
    ]);
    const result = await run(['validate', '--exposures', exposures, '--outcomes', outcomes]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/exposures line 2: not valid JSON/);
    expect(result.stdout).toMatch(/exposures line 3: request_id: /);
    expect(result.stdout).toMatch(/exposures line 5: items\.0\.rank: /);
    expect(result.stdout).toMatch(/exposures line 6: kind: unknown kind "bogus"/);
    expect(result.stdout).toMatch(/outcomes line 1: occurred_at: /);
    expect(result.stdout).toMatch(/validate: invalid \(exit 1\)/);
  });

  it('when no file or an unreadable file is given, then exit 1 with a message', async () => {
    expect((await run(['validate'])).code).toBe(1);
    const missing = await run(['validate', '--exposures', join(tmp.dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--exposures: cannot read/);
    expect((await run(['validate', '--bogus'])).code).toBe(1);
  });
});

/** n exposures of a variant, `clicks` of them clicked (and `purchases` purchased with `value`). */
function variantData(
  variant: string,
  n: number,
  clicks: number,
  options: { purchases?: number; value?: number; assignments?: number } = {},
): { exposures: unknown[]; outcomes: unknown[]; assignments: unknown[] } {
  const exposures: unknown[] = [];
  const outcomes: unknown[] = [];
  const assignments: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const user = `${variant}-u${i}`;
    const request = `${variant}-r${i}`;
    exposures.push(
      exposure({ request_id: request, items: ['i1', 'i2'], user_id: user, at: T0 + (i % 3) * 86_400_000 }),
    );
    assignments.push(assignment({ experiment_id: 'exp1', variant, user_id: user }));
    if (i < clicks) outcomes.push(outcome({ item_id: 'i1', request_id: request }));
    if (i < (options.purchases ?? 0))
      outcomes.push(
        outcome({ item_id: 'i1', request_id: request, type: 'purchase', value: options.value ?? 10 }),
      );
  }
  return { exposures, outcomes, assignments };
}

async function experimentFiles(...parts: ReturnType<typeof variantData>[]) {
  return {
    exposures: await tmp.file(
      'exp.jsonl',
      parts.flatMap((p) => p.exposures),
    ),
    outcomes: await tmp.file(
      'out.jsonl',
      parts.flatMap((p) => p.outcomes),
    ),
    assignments: await tmp.file('asg.jsonl', [
      ...parts.flatMap((p) => p.assignments),
      assignment({ experiment_id: 'other', variant: 'Z', user_id: 'A-u0' }), // another experiment: ignored
    ]),
  };
}

function experimentArgs(files: Awaited<ReturnType<typeof experimentFiles>>, ...extra: string[]): string[] {
  return [
    'experiment',
    '--exposures',
    files.exposures,
    '--outcomes',
    files.outcomes,
    '--assignments',
    files.assignments,
    '--experiment',
    'exp1',
    ...extra,
  ];
}

describe('eval experiment', () => {
  it('when B clearly beats A on CTR with a 50/50 split, then the decision is ship (exit 0) with hand-computed CTR and lift', async () => {
    const files = await experimentFiles(variantData('A', 500, 50), variantData('B', 500, 150));
    const out = join(tmp.dir, 'x');
    const result = await run(experimentArgs(files, '--split', 'A=50,B=50', '--out', out, '--now', NOW));
    expect(result.code).toBe(0);
    const report = await readJson(join(out, 'report.json'));
    expect(() => EvalReportSchema.parse(report)).not.toThrow();
    const e = report.experiment;
    expect(e.decision.decision).toBe('ship');
    expect(e.control).toBe('A');
    expect(e.candidate).toBe('B');
    expect(
      e.variants.map((v: any) => [v.name, v.assignments, v.exposures, v.clicks, v.metrics.ctr.value]),
    ).toEqual([
      ['A', 500, 500, 50, 0.1],
      ['B', 500, 500, 150, 0.3],
    ]);
    // CI of A's CTR: 0.1 ± 1.96·sqrt(s²/n) with s² = 0.1·0.9·500/499
    const half = 1.959964 * Math.sqrt((0.1 * 0.9 * 500) / 499 / 500);
    expect(e.variants[0].metrics.ctr.lo).toBeCloseTo(0.1 - half, 5);
    const ctr = e.comparisons.find((c: any) => c.metric === 'ctr');
    expect(ctr.relative_lift.value).toBeCloseTo(2, 9);
    expect(ctr.diff.value).toBeCloseTo(0.2, 9);
    expect(ctr.significant).toBe(true);
    expect(e.srm.detected).toBe(false);
    expect(e.srm.p_value).toBe(1);
    expect(report.series[0].name).toBe('A');
    expect(report.series[0].points).toHaveLength(3);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<svg[^>]*aria-label="ctr per variant"/);
    expect(html).toMatch(/<svg[^>]*aria-label="ctr by day"/);
  });

  it('when the primary improves but a guardrail is breached, then the decision is hold (exit 2)', async () => {
    // B: more clicks but less revenue per exposure (10 purchases of 10 vs 40 of 10).
    const files = await experimentFiles(
      variantData('A', 500, 50, { purchases: 40 }),
      variantData('B', 500, 150, { purchases: 10 }),
    );
    const out = join(tmp.dir, 'g');
    const result = await run(
      experimentArgs(files, '--guardrails', 'revenue_per_exposure:0.05', '--out', out),
    );
    expect(result.code).toBe(2);
    const report = await readJson(join(out, 'report.json'));
    expect(report.experiment.decision.decision).toBe('hold');
    expect(report.experiment.guardrails).toEqual([
      expect.objectContaining({ spec: 'revenue_per_exposure:0.05', variant: 'B', passed: false }),
    ]);
    // revenue per exposure: A 400/500 = 0.8, B 100/500 = 0.2 → relative worsening 0.75
    expect(report.experiment.guardrails[0].detail).toMatch(
      /0\.2000 vs control 0\.8000: relative worsening 0\.7500/,
    );
    expect(report.experiment.decision.reasons.join(' ')).toMatch(/guardrail breached/);
    // The same data without the guardrail ships; a bound guardrail also holds.
    expect((await run(experimentArgs(files))).code).toBe(0);
    expect((await run(experimentArgs(files, '--guardrails', 'revenue_per_exposure>=0.5'))).code).toBe(2);
  });

  it('when the primary regresses significantly, then the decision is fail (exit 3)', async () => {
    const files = await experimentFiles(variantData('A', 400, 100), variantData('B', 400, 40));
    const result = await run(experimentArgs(files, '--split', 'A=50,B=50'));
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/decision: fail — ctr regressed significantly: 0\.1000 vs 0\.2500/);
  });

  it('when a 50/50 experiment is logged 70/30, then SRM is flagged and the decision is hold even with a clear win', async () => {
    // 140 vs 60 units: chi-square = 2·40²/100 = 32, p ≈ 1.5e-8 < 0.001.
    const files = await experimentFiles(variantData('A', 140, 14), variantData('B', 60, 30));
    const out = join(tmp.dir, 's');
    const result = await run(experimentArgs(files, '--split', 'A=50,B=50', '--out', out));
    expect(result.code).toBe(2);
    const report = await readJson(join(out, 'report.json'));
    expect(report.experiment.srm).toMatchObject({
      observed: { A: 140, B: 60 },
      expected: { A: 0.5, B: 0.5 },
      df: 1,
      detected: true,
    });
    expect(report.experiment.srm.statistic).toBeCloseTo(32, 9);
    expect(report.experiment.srm.p_value).toBeLessThan(0.001);
    expect(report.experiment.decision.reasons[0]).toMatch(/sample ratio mismatch/);
    // Against the split it was actually configured with (70/30), there is no mismatch and B's win ships.
    expect((await run(experimentArgs(files, '--split', 'A=70,B=30'))).code).toBe(0);
  });

  it('when the variants do not differ, then the decision is hold (exit 2)', async () => {
    const files = await experimentFiles(variantData('A', 300, 30), variantData('B', 300, 31));
    const result = await run(experimentArgs(files));
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/not significant/);
  });

  it('when no assignment file is given, then each exposure is assigned by its experiment field and SRM counts its units', async () => {
    // As serving logs them: every exposure carries {id, variant}; each user is exposed twice.
    const served = (variant: string, users: number, clicked: number) => {
      const exposures: unknown[] = [];
      const outcomes: unknown[] = [];
      for (let u = 0; u < users; u++) {
        for (let visit = 0; visit < 2; visit++) {
          const request = `${variant}-u${u}-v${visit}`;
          exposures.push(
            exposure({
              request_id: request,
              items: ['i1', 'i2'],
              user_id: `${variant}-u${u}`,
              at: T0 + visit * 3_600_000,
              experiment: { id: 'exp1', variant },
            }),
          );
          if (u * 2 + visit < clicked) outcomes.push(outcome({ item_id: 'i2', request_id: request }));
        }
      }
      return { exposures, outcomes };
    };
    const write = async (...parts: ReturnType<typeof served>[]) => ({
      exposures: await tmp.file(
        'served-exp.jsonl',
        parts.flatMap((p) => p.exposures),
      ),
      outcomes: await tmp.file(
        'served-out.jsonl',
        parts.flatMap((p) => p.outcomes),
      ),
    });
    const args = (files: { exposures: string; outcomes: string }, ...extra: string[]) => [
      'experiment',
      '--exposures',
      files.exposures,
      '--outcomes',
      files.outcomes,
      '--experiment',
      'exp1',
      '--split',
      'A=50,B=50',
      ...extra,
    ];
    // 250 users × 2 exposures per variant; A: 50 of 500 exposures clicked (CTR 0.1), B: 150 of 500 (0.3).
    const even = await write(served('A', 250, 50), served('B', 250, 150));
    const out = join(tmp.dir, 'served');
    expect((await run(args(even, '--out', out))).code).toBe(0);
    const report = await readJson(join(out, 'report.json'));
    expect(report.experiment.assignment_source).toBe('exposures');
    expect(report.inputs.assignments).toBeUndefined();
    expect(
      report.experiment.variants.map((v: any) => [v.name, v.assignments, v.exposures, v.metrics.ctr.value]),
    ).toEqual([
      ['A', 250, 500, 0.1],
      ['B', 250, 500, 0.3],
    ]);
    expect(report.counts).toMatchObject({ assignment_lines: 0, assignment_units: 500, exposures: 500 * 2 });
    expect(report.experiment.srm).toMatchObject({ observed: { A: 250, B: 250 }, detected: false });
    expect(report.experiment.decision.decision).toBe('ship');
    // 140 vs 60 users logged for a 50/50 split: chi-square 32 on units (not on the 280/120 exposures) → hold.
    const skewed = await write(served('A', 140, 28), served('B', 60, 36));
    const skewOut = join(tmp.dir, 'served-skew');
    expect((await run(args(skewed, '--out', skewOut))).code).toBe(2);
    const skew = await readJson(join(skewOut, 'report.json'));
    expect(skew.experiment.srm.observed).toEqual({ A: 140, B: 60 });
    expect(skew.experiment.srm.statistic).toBeCloseTo(32, 9);
    expect(skew.experiment.srm.detected).toBe(true);
    expect(skew.experiment.decision.reasons[0]).toMatch(/sample ratio mismatch/);
  });

  it('when arguments are missing or wrong, then exit 1', async () => {
    const files = await experimentFiles(variantData('A', 10, 1), variantData('B', 10, 2));
    expect((await run(['experiment', '--exposures', files.exposures])).code).toBe(1);
    expect((await run(experimentArgs(files, '--primary', 'latency'))).code).toBe(1);
    expect((await run(experimentArgs(files, '--alpha', '2'))).code).toBe(1);
    const none = await run([...experimentArgs(files).slice(0, -1), 'nope']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no assignment for experiment "nope"/);
  });
});

describe('eval ope', () => {
  // Four requests, two items each with logging propensity 0.5; clicks on r1/i1, r2/i2, r3/i1 → 3 clicks / 4 requests.
  async function opeFiles(propensities: (number | undefined)[] = [0.5, 0.5]) {
    const requests = ['r1', 'r2', 'r3', 'r4'];
    return {
      exposures: await tmp.file(
        'exp.jsonl',
        requests.map((request_id) => exposure({ request_id, items: ['i1', 'i2'], propensities })),
      ),
      outcomes: await tmp.file('out.jsonl', [
        outcome({ item_id: 'i1', request_id: 'r1' }),
        outcome({ item_id: 'i2', request_id: 'r2' }),
        outcome({ item_id: 'i1', request_id: 'r3' }),
      ]),
      target: (items: { item_id: string; propensity: number }[]) =>
        tmp.file(
          `target-${Math.random()}.jsonl`,
          requests.map((request_id) => ({ request_id, items })),
        ),
    };
  }

  it('when the target policy equals the logging policy, then IPS = SNIPS = the observed mean reward', async () => {
    const files = await opeFiles();
    const target = await files.target([
      { item_id: 'i1', propensity: 0.5 },
      { item_id: 'i2', propensity: 0.5 },
    ]);
    const out = join(tmp.dir, 'o');
    const result = await run([
      'ope',
      '--exposures',
      files.exposures,
      '--outcomes',
      files.outcomes,
      '--target-policy',
      target,
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const report = await readJson(join(out, 'report.json'));
    expect(() => EvalReportSchema.parse(report)).not.toThrow();
    expect(report.ope.observed_mean_reward).toBe(0.75);
    expect(report.ope.estimates.ips.value).toBeCloseTo(0.75, 12);
    expect(report.ope.estimates.snips.value).toBeCloseTo(0.75, 12);
    // m(i1) = 2/4, m(i2) = 1/4: DR_x = 0.5·0.5 + 0.5·0.25 + Σ(r − m) → mean = 0.375 + (3 − 3)/4 = 0.375
    expect(report.ope.estimates.dr.value).toBeCloseTo(0.375, 12);
    expect(report.ope.diagnostics).toMatchObject({
      weight_mean: 1,
      weight_max: 1,
      clipped_fraction: 0,
      effective_sample_size: 8,
    });
    // IPS_x values 1, 1, 1, 0 → SE = sqrt(0.25 / 4)
    expect(report.ope.estimates.ips.se).toBeCloseTo(Math.sqrt(0.25 / 4), 12);
  });

  it('when the target favours i1 beyond the clip, then weights are clipped and IPS, SNIPS and DR follow by hand', async () => {
    const files = await opeFiles([0.1, 0.5]);
    const target = await files.target([
      { item_id: 'i1', propensity: 0.9 },
      { item_id: 'i2', propensity: 0.1 },
    ]);
    const out = join(tmp.dir, 'c');
    const result = await run([
      'ope',
      '--exposures',
      files.exposures,
      '--outcomes',
      files.outcomes,
      '--target-policy',
      target,
      '--clip',
      '5',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const report = await readJson(join(out, 'report.json'));
    // w(i1) = min(0.9/0.1, 5) = 5, w(i2) = 0.1/0.5 = 0.2. IPS_x: r1 5, r2 0.2, r3 5, r4 0 → 10.2 / 4
    expect(report.ope.estimates.ips.value).toBeCloseTo(10.2 / 4, 12);
    // mean weight (5 + 0.2)/2 = 2.6 → SNIPS = 2.55 / 2.6
    expect(report.ope.estimates.snips.value).toBeCloseTo(2.55 / 2.6, 12);
    expect(report.ope.diagnostics.clipped_fraction).toBe(0.5);
    expect(report.ope.diagnostics.weight_max).toBe(5);
    expect(report.warnings.join(' ')).toMatch(/high_clipping_fraction/);
    // DR with m(i1) = 2/4 clicks, m(i2) = 1/4: direct term 0.9·0.5 + 0.1·0.25 = 0.475 per request;
    // corrections Σ w(r − m): r1 5·0.5 + 0.2·(−0.25) = 2.45, r2 −2.5 + 0.2·0.75 = −2.35, r3 2.45, r4 −2.55.
    const drTerms = [2.45, -2.35, 2.45, -2.55].map((c) => 0.475 + c);
    const drMean = drTerms.reduce((a, b) => a + b, 0) / 4;
    expect(report.ope.estimates.dr.value).toBeCloseTo(0.475, 12);
    expect(drMean).toBeCloseTo(0.475, 12);
    const drVar = drTerms.reduce((a, t) => a + (t - drMean) ** 2, 0) / 3;
    expect(report.ope.estimates.dr.se).toBeCloseTo(Math.sqrt(drVar / 4), 9);
    // Without clipping (w(i1) = 9) IPS would be (9 + 0.2 + 9 + 0) / 4 = 4.55: the clip changes the estimate.
    const unclipped = join(tmp.dir, 'u');
    await run([
      'ope',
      '--exposures',
      files.exposures,
      '--outcomes',
      files.outcomes,
      '--target-policy',
      target,
      '--clip',
      '100',
      '--out',
      unclipped,
    ]);
    const raw = await readJson(join(unclipped, 'report.json'));
    expect(raw.ope.estimates.ips.value).toBeCloseTo(4.55, 12);
    expect(raw.ope.diagnostics.clipped_fraction).toBe(0);
  });

  it('when an exposed item has no propensity, then ope refuses with exit 4 and RECSYS_EVAL_PROPENSITY_MISSING naming the first such exposure', async () => {
    const files = await opeFiles([0.5, undefined]);
    const target = await files.target([{ item_id: 'i1', propensity: 0.5 }]);
    const out = join(tmp.dir, 'refused');
    const result = await run([
      'ope',
      '--exposures',
      files.exposures,
      '--outcomes',
      files.outcomes,
      '--target-policy',
      target,
      '--out',
      out,
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /eval ope: RECSYS_EVAL_PROPENSITY_MISSING: refusing to estimate: exposure request_id=r1 \(.*exp\.jsonl line 1\) has no propensity for item i2/,
    );
    await expect(readFile(join(out, 'report.json'), 'utf8')).rejects.toThrow();
    // A zero propensity cannot be inverted either.
    const zero = await opeFiles([0.5, 0]);
    const refused = await run([
      'ope',
      '--exposures',
      zero.exposures,
      '--outcomes',
      zero.outcomes,
      '--target-policy',
      target,
    ]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/has a zero propensity for item i2/);
  });
});

describe('eval on one ingest export file', () => {
  it('when exposures, outcomes and assignments come mixed in one export, then each input takes its own kind and B ships', async () => {
    const a = variantData('A', 300, 30);
    const b = variantData('B', 300, 90);
    const lines = [
      ...a.assignments,
      ...b.assignments,
      ...a.exposures,
      ...b.exposures,
      ...a.outcomes,
      ...b.outcomes,
    ];
    const catalogLine = {
      kind: 'catalog.upsert',
      event_id: 'c1',
      tenant_id: 't1',
      item: { item_id: 'i1', tags: [], available: true },
      occurred_at: iso(T0),
    };
    const exportFile = await tmp.file('export.ndjson', [catalogLine, ...lines]);
    const result = await run([
      'experiment',
      '--exposures',
      exportFile,
      '--outcomes',
      exportFile,
      '--assignments',
      exportFile,
      '--experiment',
      'exp1',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/variant A: exposures=300 ctr=0\.1000/);
    expect(result.stdout).toMatch(/variant B: exposures=300 ctr=0\.3000/);
    const validate = await run([
      'validate',
      '--exposures',
      exportFile,
      '--outcomes',
      exportFile,
      '--assignments',
      exportFile,
    ]);
    expect(validate.code).toBe(0);
  });
});

describe('eval reports', () => {
  it('when reports of every mode are written, then each satisfies the committed JSON Schema, which `eval schema` prints', async () => {
    const schemaFile = JSON.parse(
      await readFile(join(__dirname, '..', 'schemas', 'eval-report.v1.schema.json'), 'utf8'),
    );
    const printed = await run(['schema']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(schemaFile);
    expect(reportJsonSchema()).toEqual(schemaFile);

    const reports: Record<string, unknown>[] = [];
    const write = async (argv: string[]) => {
      const out = join(tmp.dir, `mode-${reports.length}`);
      await run([...argv, '--out', out]);
      reports.push(await readJson(join(out, 'report.json')));
    };
    const files = await experimentFiles(variantData('A', 100, 10), variantData('B', 100, 30));
    await write(['validate', '--exposures', files.exposures, '--outcomes', files.outcomes]);
    await write(['offline', '--exposures', files.exposures, '--outcomes', files.outcomes, '--k', '2']);
    await write(experimentArgs(files, '--guardrails', 'empty_rate<=0.1'));
    const opeExposures = await tmp.file('ope-exp.jsonl', [
      exposure({ request_id: 'p1', items: ['i1', 'i2'], propensities: [0.5, 0.5] }),
      exposure({ request_id: 'p2', items: ['i1', 'i2'], propensities: [0.5, 0.5] }),
    ]);
    const target = await tmp.file('ope-target.jsonl', [
      { request_id: 'p1', items: [{ item_id: 'i1', propensity: 1 }] },
      { request_id: 'p2', items: [{ item_id: 'i2', propensity: 1 }] },
    ]);
    await write([
      'ope',
      '--exposures',
      opeExposures,
      '--outcomes',
      files.outcomes,
      '--target-policy',
      target,
    ]);
    expect(reports.map((r) => r.mode)).toEqual(['validate', 'offline', 'experiment', 'ope']);
    for (const report of reports) expect(validateJsonSchema(schemaFile, report)).toEqual([]);
    // The schema is not a rubber stamp: unknown fields, wrong enums and missing sections are rejected.
    const offline = reports[1] as any;
    expect(validateJsonSchema(schemaFile, { ...offline, extra: 1 })).toEqual(['$.extra: not allowed']);
    expect(validateJsonSchema(schemaFile, { ...offline, status: 'great' })[0]).toMatch(
      /^\$\.status: not one/,
    );
    const { tool: _tool, ...withoutTool } = offline;
    expect(validateJsonSchema(schemaFile, withoutTool)).toEqual(['$: missing required property tool']);
    expect(
      validateJsonSchema(schemaFile, { ...offline, window: { from: 'yesterday', to: offline.window.to } })
        .length,
    ).toBeGreaterThan(0);
  });

  it('when a report is rendered, then Markdown and HTML carry the tool version, input window, counts and config', async () => {
    const exposures = await tmp.file('exp.jsonl', [
      exposure({ request_id: 'r1', items: ['i1', 'i2'], at: T0 }),
      exposure({ request_id: 'r2', items: ['i2', 'i3'], at: T0 + 86_400_000 }),
    ]);
    const outcomes = await tmp.file('out.jsonl', [
      outcome({ item_id: 'i2', request_id: 'r2', at: T0 + 86_400_000 + 60_000 }),
    ]);
    const out = join(tmp.dir, 'rendered');
    const result = await run([
      'offline',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--k',
      '2',
      '--seed',
      '9',
      '--now',
      NOW,
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    const window = `${iso(T0)} – ${iso(T0 + 86_400_000 + 60_000)}`;
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| Tool | recsys-publisher eval 0.1.0 |');
    expect(md).toContain(`| Input window | ${window} |`);
    expect(md).toContain(`| Created at | ${new Date(NOW).toISOString()} |`);
    expect(md).toMatch(/## Counts\n\n\| Count \| Value \|\n\| --- \| --- \|\n\| exposure_lines \| 2 \|/);
    expect(md).toContain('| outcomes_joined | 1 |');
    expect(md).toContain('## Config (effective options)');
    expect(md).toContain('| k | 2 |');
    expect(md).toContain('| seed | 9 |');
    expect(md).toContain('| bootstrap | 200 |');
    expect(md).toContain('| relevantTypes | ["click","add_to_cart","purchase","like"] |');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<tr><td>Tool</td><td>recsys-publisher eval 0.1.0</td></tr>');
    expect(html).toContain(`<tr><td>Input window</td><td>${window}</td></tr>`);
    expect(html).toContain('<tr><td>exposure_lines</td><td>2</td></tr>');
    expect(html).toContain('<h2>Config (effective options)</h2>');
    expect(html).toContain('<tr><td>seed</td><td>9</td></tr>');
    // Plots: the metric per slice with its bootstrap interval, and the metric by day (two days → two points).
    expect(html).toMatch(/<svg[^>]*aria-label="ndcg@2 per segment and surface"/);
    const timeChart = /<svg[^>]*aria-label="ndcg@2 by day"[\s\S]*?<\/svg>/.exec(html)![0];
    expect(timeChart.match(/<circle/g)).toHaveLength(2);
  });

  it('when a report does not match EvalReportSchema, then writeReports throws and writes nothing', async () => {
    const exposures = await tmp.file('exp.jsonl', [exposure({ request_id: 'r1', items: ['i1'] })]);
    const outcomes = await tmp.file('out.jsonl', []);
    const good = join(tmp.dir, 'good');
    await run(['offline', '--exposures', exposures, '--outcomes', outcomes, '--out', good]);
    const report = await readJson(join(good, 'report.json'));
    const bad = join(tmp.dir, 'bad');
    await expect(writeReports(bad, { ...report, mode: 'bogus' })).rejects.toThrow();
    await expect(writeReports(bad, { ...report, created_at: 'yesterday' })).rejects.toThrow();
    await expect(readFile(join(bad, 'report.json'), 'utf8')).rejects.toThrow();
  });
});

describe('eval command line', () => {
  it('when asked for help, then each command documents its exit codes and returns 0', async () => {
    for (const [command, codes] of [
      ['validate', ['0  every line is valid', '1  usage']],
      ['offline', ['1  a regression gate failed']],
      ['experiment', ['0  ship', '2  hold', '3  fail', '1  usage']],
      ['ope', ['0  estimates computed', '4  refusal', 'RECSYS_EVAL_PROPENSITY_MISSING', '1  usage']],
    ] as const) {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      for (const code of codes) expect(result.stdout).toContain(code);
    }
    expect((await run(['--help'])).stdout).toMatch(/validate[\s\S]*offline[\s\S]*experiment[\s\S]*ope/);
    expect((await run(['bogus'])).code).toBe(1);
  });
});

describe('recsys-publisher eval as a process', () => {
  /** Runs `recsys-publisher eval …` from the sources, as a user would, and returns the process exit code. */
  function cli(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'src/cli.ts', 'eval', ...argv],
        { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('when the fixtures imply ship, hold and fail, then the process exits 0, 2 and 3', async () => {
    // ship: B's CTR 0.3 against A's 0.1 on 400 exposures each, 50/50 as configured.
    const ship = await cli(
      experimentArgs(await experimentFiles(variantData('A', 400, 40), variantData('B', 400, 120))),
    );
    expect(ship.code).toBe(0);
    expect(ship.stdout).toMatch(/decision: ship — ctr improved significantly: 0\.3000 vs 0\.1000/);
    // hold: the same CTR win, but B's revenue per exposure is 0.25 against 1.0 (10 vs 40 purchases of 10).
    const hold = await cli(
      experimentArgs(
        await experimentFiles(
          variantData('A', 400, 40, { purchases: 40 }),
          variantData('B', 400, 120, { purchases: 10 }),
        ),
        '--guardrails',
        'revenue_per_exposure:0.05',
      ),
    );
    expect(hold.code).toBe(2);
    expect(hold.stdout).toMatch(/decision: hold — guardrail breached: revenue_per_exposure:0\.05/);
    // fail: B's CTR 0.1 against A's 0.25.
    const fail = await cli(
      experimentArgs(await experimentFiles(variantData('A', 400, 100), variantData('B', 400, 40))),
    );
    expect(fail.code).toBe(3);
    expect(fail.stdout).toMatch(/decision: fail — ctr regressed significantly/);
  }, 90_000);

  it('when ope lacks propensities or a flag is wrong, then the process exits 4 or 1', async () => {
    const exposures = await tmp.file('exp.jsonl', [exposure({ request_id: 'r1', items: ['i1'] })]);
    const outcomes = await tmp.file('out.jsonl', []);
    const target = await tmp.file('target.jsonl', [
      { request_id: 'r1', items: [{ item_id: 'i1', propensity: 1 }] },
    ]);
    const refused = await cli([
      'ope',
      '--exposures',
      exposures,
      '--outcomes',
      outcomes,
      '--target-policy',
      target,
    ]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/RECSYS_EVAL_PROPENSITY_MISSING: refusing to estimate/);
    const usage = await cli(['experiment', '--exposures', exposures, '--bogus']);
    expect(usage.code).toBe(1);
  }, 60_000);
});

import { createHmac } from 'node:crypto';
import type { ExperimentDoc } from '../ranking/config.js';
import { assignExperiment, hashBucket, inTraffic, pickVariant } from './assign.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const exp = (over: Partial<ExperimentDoc> = {}): ExperimentDoc => ({
  id: 'exp1',
  enabled: true,
  traffic_percent: 100,
  variants: [
    { name: 'control', weight: 1 },
    { name: 'treatment', weight: 1, overrides: { weights: { pop: 1 } } },
  ],
  ...over,
});
const opts = { surface: 'home', salt: 'salt', now: NOW };
const subjects = Array.from({ length: 10000 }, (_, i) => `user-${i}`);

describe('hashBucket', () => {
  it('when hashing, then it is the first 8 bytes of HMAC-SHA256 big-endian mod 10000', () => {
    const digest = createHmac('sha256', 'salt').update('exp1:u').digest();
    expect(hashBucket('salt', 'exp1:u')).toBe(Number(digest.readBigUInt64BE(0) % 10000n));
  });
});

describe('assignExperiment', () => {
  it('when the same subject is assigned repeatedly, then the variant is stable', () => {
    const first = assignExperiment([exp()], { ...opts, subject: 'alice' });
    for (let i = 0; i < 5; i++)
      expect(assignExperiment([exp()], { ...opts, subject: 'alice' })).toEqual(first);
    expect(first?.id).toBe('exp1');
    expect(['control', 'treatment']).toContain(first?.variant);
  });

  it('when the variant is treatment, then its overrides are returned', () => {
    const s = subjects.find(
      (u) => assignExperiment([exp()], { ...opts, subject: u })?.variant === 'treatment',
    )!;
    expect(assignExperiment([exp()], { ...opts, subject: s })?.overrides).toEqual({ weights: { pop: 1 } });
  });

  it('when traffic is 0%, then nobody is assigned; at 100% everybody is', () => {
    const zero = [exp({ traffic_percent: 0 })];
    expect(subjects.slice(0, 500).some((s) => assignExperiment(zero, { ...opts, subject: s }))).toBe(false);
    expect(subjects.slice(0, 500).every((s) => assignExperiment([exp()], { ...opts, subject: s }))).toBe(
      true,
    );
  });

  it('when traffic is 30%, then about 30% of 10k subjects are in (±2%)', () => {
    const n = subjects.filter((s) => inTraffic('salt', 'exp1', s, 30)).length;
    expect(Math.abs(n / subjects.length - 0.3)).toBeLessThan(0.02);
  });

  it('when variants are weighted 70/30, then the split over 10k subjects is within ±2%', () => {
    const weighted = [
      exp({
        variants: [
          { name: 'a', weight: 7 },
          { name: 'b', weight: 3 },
          { name: 'never', weight: 0 },
        ],
      }),
    ];
    const counts: Record<string, number> = {};
    for (const s of subjects) {
      const v = assignExperiment(weighted, { ...opts, subject: s })!.variant;
      counts[v] = (counts[v] ?? 0) + 1;
    }
    expect(Math.abs(counts.a! / 10000 - 0.7)).toBeLessThan(0.02);
    expect(Math.abs(counts.b! / 10000 - 0.3)).toBeLessThan(0.02);
    expect(counts.never).toBeUndefined();
  });

  it('when the experiment is disabled, on another surface or out of its window, then no assignment', () => {
    const a = (e: ExperimentDoc) => assignExperiment([e], { ...opts, subject: 'alice' });
    expect(a(exp({ enabled: false }))).toBeUndefined();
    expect(a(exp({ surface: 'pdp' }))).toBeUndefined();
    expect(a(exp({ surface: 'HOME' }))).toBeDefined();
    expect(a(exp({ starts_at: '2026-06-01T00:00:01Z' }))).toBeUndefined();
    expect(a(exp({ ends_at: '2026-06-01T00:00:00Z' }))).toBeUndefined();
    expect(a(exp({ starts_at: '2026-06-01T00:00:00Z', ends_at: '2026-06-02T00:00:00Z' }))).toBeDefined();
  });

  it('when there is no subject, then no assignment', () => {
    expect(assignExperiment([exp()], { ...opts, subject: '  ' })).toBeUndefined();
    expect(assignExperiment([exp()], { ...opts, subject: undefined })).toBeUndefined();
  });

  it('when an id is requested, then only that experiment is used, with default variants for unknown ids', () => {
    const list = [exp(), exp({ id: 'exp2', variants: [{ name: 'only', weight: 1 }] })];
    expect(assignExperiment(list, { ...opts, subject: 'alice', experimentId: 'exp2' })).toEqual({
      id: 'exp2',
      variant: 'only',
    });
    expect(assignExperiment(list, { ...opts, subject: 'alice', experimentId: 'nope' })).toBeUndefined();
    const d = assignExperiment(list, {
      ...opts,
      subject: 'alice',
      experimentId: 'nope',
      defaultVariants: ['A', 'B'],
    });
    expect(d?.id).toBe('nope');
    expect(['A', 'B']).toContain(d?.variant);
  });

  it('when no id is requested, then the first applicable experiment that takes the subject is used', () => {
    const list = [
      exp({ id: 'off', enabled: false }),
      exp({ id: 'none', traffic_percent: 0 }),
      exp({ id: 'on' }),
    ];
    expect(assignExperiment(list, { ...opts, subject: 'alice' })?.id).toBe('on');
    expect(assignExperiment([], { ...opts, subject: 'alice' })).toBeUndefined();
  });
});

describe('pickVariant', () => {
  it('when buckets sit on the cumulative boundaries, then the split is exact', () => {
    expect(pickVariant(0, [1, 1])).toBe(0);
    expect(pickVariant(4999, [1, 1])).toBe(0);
    expect(pickVariant(5000, [1, 1])).toBe(1);
    expect(pickVariant(9999, [1, 1])).toBe(1);
    expect(pickVariant(9999, [1, 0])).toBe(0);
    expect(pickVariant(7000, [0, 0])).toBe(1);
  });
});

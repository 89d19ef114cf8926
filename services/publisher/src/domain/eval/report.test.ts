import { EvalReport } from '@recsys/contracts-publisher';
import { barChartSvg, reportHtml, reportMarkdown } from './report.js';

const metrics = { k: 20, users: 10, precision: 0.1, recall: 0.3, ndcg: 0.25, hit_rate: 0.6, coverage: 0.2 };
const report = EvalReport.parse({
  v: 1,
  tenant: 'acme',
  surface: 'home',
  segment: 'default',
  candidate_version: 'cand',
  current_version: 'cur',
  evaluator: 'local',
  train_window: { start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' },
  holdout_window: { start: '2026-01-08T00:00:00Z', end: '2026-01-09T00:00:00Z' },
  candidate: metrics,
  current: { ...metrics, recall: 0.4 },
  tolerance: 0.02,
  gate_metrics: ['recall'],
  decision: 'refused',
  reasons: ['recall@20 0.3000 < 0.3920 <script>'],
  generated_at: '2026-01-09T00:00:00Z',
  publisher_version: '0.1.0',
});

describe('evaluation report', () => {
  it('when rendered as Markdown, then it has the decision and a metric table with deltas', () => {
    const md = reportMarkdown(report);
    expect(md).toContain('- decision: **refused**');
    expect(md).toContain('| recall | 0.3000 | 0.4000 | -0.1000 |');
  });

  it('when rendered as HTML, then it embeds an SVG bar per metric and version, escapes text, and loads nothing external', () => {
    const html = reportHtml(report);
    expect(html).toContain('<svg');
    expect((barChartSvg(report).match(/<rect /g) ?? []).length).toBe(5 * 2 + 2); // bars + legend
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/<script|src=|href=|@import/);
  });
});

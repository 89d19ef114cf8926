import {
  EvalReportSchema,
  intervalSvg,
  renderHtml,
  renderMarkdown,
  timeSvg,
  type EvalReport,
} from './report.js';

function offlineReport(segment: string): EvalReport {
  const slice = { cases: 2, cases_with_relevant: 1, metrics: { 'ndcg@2': 0.5, 'precision@2': 0.25 } };
  return EvalReportSchema.parse({
    schema: 'recsys.eval.report.v1',
    run_id: 'offline-20261123T120000Z',
    mode: 'offline',
    tool: { name: 'recsys-publisher eval', version: '0.1.0' },
    created_at: '2026-11-23T12:00:00Z',
    config: { args: ['--k', '2'], options: { k: 2 } },
    inputs: { exposures: 'e.jsonl', outcomes: 'o.jsonl' },
    window: { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' },
    counts: { exposures: 2 },
    status: 'ok',
    exit_code: 0,
    warnings: ['a | pipe'],
    series: [
      {
        metric: 'ndcg@2',
        name: 'all',
        points: [
          { day: '2026-11-01', value: 0.4, n: 1 },
          { day: '2026-11-02', value: 0.6, n: 1 },
        ],
      },
    ],
    offline: {
      k: 2,
      relevant_types: ['click'],
      attribution_window_ms: 86_400_000,
      catalog_size: null,
      coverage_basis: 'items_seen',
      diversity_basis: 'items',
      bootstrap: null,
      global: slice,
      by_segment: { [segment]: slice },
      by_surface: { home: slice },
      gates: null,
    },
  });
}

describe('report rendering', () => {
  it('when a segment name holds markup, then the HTML escapes it and the Markdown escapes pipes', () => {
    const report = offlineReport('<script>alert(1)</script>');
    const html = renderHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(renderMarkdown(report)).toContain('- a | pipe');
    expect(renderMarkdown(offlineReport('a|b'))).toContain('| a\\|b | 2 |');
  });

  it('when plotting, then the interval chart draws a dot per row and a bar per interval, the time chart a polyline per series', () => {
    const svg = intervalSvg({
      kind: 'interval',
      title: 'ctr per variant',
      rows: [
        { label: 'A', value: 0.1, lo: 0.08, hi: 0.12 },
        { label: 'B', value: 0.2, lo: null, hi: null },
      ],
    });
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg.match(/stroke-width="2"/g)).toHaveLength(1);
    const time = timeSvg({ kind: 'time', title: 't', series: offlineReport('s').series });
    expect(time.match(/<polyline/g)).toHaveLength(1);
    expect(time.match(/<circle/g)).toHaveLength(2);
  });

  it('when a field breaks the schema, then EvalReportSchema rejects the report', () => {
    const report = offlineReport('s');
    expect(EvalReportSchema.safeParse({ ...report, exit_code: 1.5 }).success).toBe(false);
    expect(EvalReportSchema.safeParse({ ...report, schema: 'other' }).success).toBe(false);
    expect(EvalReportSchema.safeParse({ ...report, counts: { x: Number.NaN } }).success).toBe(false);
  });
});

/**
 * The evaluation report: one JSON document (schema `EvalReportSchema`, validated before it is written), rendered
 * also as Markdown and as HTML with inline SVG plots.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Timestamp, z } from '@recsys/contract-kit';

export const REPORT_SCHEMA_ID = 'recsys.eval.report.v1';

const Num = z.number();
const NullableNum = z.number().nullable();

export const IntervalValue = z.object({ value: Num, lo: NullableNum, hi: NullableNum });
export type IntervalValue = z.output<typeof IntervalValue>;

export const SeriesSchema = z.object({
  metric: z.string(),
  name: z.string(),
  points: z.array(z.object({ day: z.string(), value: Num, n: z.number().int() })),
});
export type Series = z.output<typeof SeriesSchema>;

const SliceMetrics = z.object({
  cases: z.number().int(),
  cases_with_relevant: z.number().int(),
  metrics: z.record(z.string(), Num),
  intervals: z.record(z.string(), z.object({ lo: Num, hi: Num })).optional(),
});
export type SliceMetrics = z.output<typeof SliceMetrics>;

const ValidateSection = z.object({
  files: z.array(
    z.object({
      role: z.enum(['exposures', 'outcomes', 'assignments']),
      path: z.string(),
      lines: z.number().int(),
      valid: z.number().int(),
      invalid: z.number().int(),
      skipped: z.number().int(),
      errors: z.array(z.object({ line: z.number().int(), reason: z.string() })),
      errors_truncated: z.boolean(),
    }),
  ),
  joins: z.object({
    duplicate_exposure_request_ids: z.number().int(),
    outcomes_with_request_id: z.number().int(),
    outcomes_joined: z.number().int(),
    outcome_join_rate: NullableNum,
    assignments_with_request_id: z.number().int(),
    assignments_joined: z.number().int(),
  }),
});

const GateResult = z.object({
  metric: z.string(),
  baseline: NullableNum,
  candidate: NullableNum,
  delta: NullableNum,
  tolerance: Num,
  passed: z.boolean(),
});

const OfflineSection = z.object({
  k: z.number().int().positive(),
  relevant_types: z.array(z.string()),
  attribution_window_ms: Num,
  catalog_size: z.number().int().nullable(),
  coverage_basis: z.enum(['catalog', 'items_seen']),
  diversity_basis: z.enum(['tags', 'items']),
  bootstrap: z.object({ replicates: z.number().int(), seed: z.number().int(), ci_level: Num }).nullable(),
  global: SliceMetrics,
  by_segment: z.record(z.string(), SliceMetrics),
  by_surface: z.record(z.string(), SliceMetrics),
  gates: z.object({ baseline: z.string(), passed: z.boolean(), results: z.array(GateResult) }).nullable(),
});

const Comparison = z.object({
  variant: z.string(),
  metric: z.string(),
  control_value: Num,
  variant_value: Num,
  diff: IntervalValue,
  relative_lift: IntervalValue.nullable(),
  z: NullableNum,
  p_value: NullableNum,
  significant: z.boolean(),
});
export type Comparison = z.output<typeof Comparison>;

const ExperimentSection = z.object({
  experiment_id: z.string(),
  control: z.string(),
  candidate: z.string().nullable(),
  primary: z.string(),
  alpha: Num,
  ci_method: z.literal('delta'),
  /** Where the variants come from: the assignment events, or (without any) the exposures' `experiment` field. */
  assignment_source: z.enum(['assignments', 'exposures']),
  attribution_window_ms: Num,
  variants: z.array(
    z.object({
      name: z.string(),
      assignments: z.number().int(),
      exposures: z.number().int(),
      clicks: z.number().int(),
      conversions: z.number().int(),
      revenue: Num,
      metrics: z.record(z.string(), IntervalValue),
    }),
  ),
  comparisons: z.array(Comparison),
  srm: z.object({
    expected: z.record(z.string(), Num),
    observed: z.record(z.string(), z.number().int()),
    statistic: Num,
    df: z.number().int(),
    p_value: Num,
    alpha: Num,
    detected: z.boolean(),
  }),
  guardrails: z.array(
    z.object({
      spec: z.string(),
      metric: z.string(),
      variant: z.string(),
      passed: z.boolean(),
      detail: z.string(),
    }),
  ),
  decision: z.object({ decision: z.enum(['ship', 'hold', 'fail']), reasons: z.array(z.string()) }),
});

const OpeEstimate = z.object({ value: Num, se: NullableNum, lo: NullableNum, hi: NullableNum });
const OpeSection = z.object({
  reward: z.enum(['click', 'conversion', 'revenue']),
  clip: Num,
  k: z.number().int().nullable(),
  requests: z.number().int(),
  items: z.number().int(),
  requests_missing_target: z.number().int(),
  observed_mean_reward: Num,
  estimates: z.object({ ips: OpeEstimate, snips: OpeEstimate, dr: OpeEstimate }),
  diagnostics: z.object({
    effective_sample_size: Num,
    weight_mean: Num,
    weight_max: Num,
    clipped_fraction: Num,
    zero_target_fraction: Num,
  }),
});

export const EvalReportSchema = z
  .object({
    schema: z.literal(REPORT_SCHEMA_ID),
    run_id: z.string().min(1),
    mode: z.enum(['validate', 'offline', 'experiment', 'ope']),
    tool: z.object({ name: z.string(), version: z.string() }),
    created_at: Timestamp,
    config: z.object({ args: z.array(z.string()), options: z.record(z.string(), z.unknown()) }),
    inputs: z.record(z.string(), z.string()),
    window: z.object({ from: Timestamp, to: Timestamp }).nullable(),
    counts: z.record(z.string(), Num),
    status: z.enum(['valid', 'invalid', 'ok', 'regressed', 'ship', 'hold', 'fail']),
    exit_code: z.number().int(),
    warnings: z.array(z.string()),
    series: z.array(SeriesSchema),
    validate: ValidateSection.optional(),
    offline: OfflineSection.optional(),
    experiment: ExperimentSection.optional(),
    ope: OpeSection.optional(),
  })
  .meta({ id: 'EvalReport' });
export type EvalReport = z.output<typeof EvalReportSchema>;

/**
 * JSON Schema (draft 2020-12) of report.json, derived from EvalReportSchema; committed as
 * schemas/eval-report.v1.schema.json (a test keeps the two equal) and printed by `eval schema`.
 */
export function reportJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(EvalReportSchema, { target: 'draft-2020-12', io: 'output' });
  return { $schema, title: `RecSys evaluation report (${REPORT_SCHEMA_ID})`, ...schema };
}

// ---- rendering ---------------------------------------------------------------------------------------------

interface Table {
  title: string;
  headers: string[];
  rows: (string | number | null)[][];
}

interface IntervalChart {
  kind: 'interval';
  title: string;
  rows: { label: string; value: number; lo: number | null; hi: number | null }[];
}
interface TimeChart {
  kind: 'time';
  title: string;
  series: Series[];
}
type Chart = IntervalChart | TimeChart;

export function fmt(value: number | null | undefined, digits = 6): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function interval(lo: number | null | undefined, hi: number | null | undefined): string {
  return lo === null || lo === undefined || hi === null || hi === undefined
    ? '–'
    : `[${fmt(lo)}, ${fmt(hi)}]`;
}

function sliceTable(title: string, slices: Record<string, SliceMetrics>): Table {
  const names = Object.keys(Object.values(slices)[0]?.metrics ?? {});
  return {
    title,
    headers: ['Slice', 'Cases', ...names],
    rows: Object.entries(slices).map(([slice, s]) => [
      slice,
      s.cases,
      ...names.map((n) => fmt(s.metrics[n])),
    ]),
  };
}

function describe(report: EvalReport): { tables: Table[]; charts: Chart[]; headline: string } {
  const tables: Table[] = [];
  const charts: Chart[] = [];
  let headline: string = report.status;
  if (report.validate) {
    const v = report.validate;
    tables.push({
      title: 'Files',
      headers: ['Role', 'Path', 'Lines', 'Valid', 'Invalid', 'Skipped (other kind)'],
      rows: v.files.map((f) => [f.role, f.path, f.lines, f.valid, f.invalid, f.skipped]),
    });
    tables.push({
      title: 'Joins',
      headers: ['Measure', 'Value'],
      rows: Object.entries(v.joins).map(([key, value]) => [key, fmt(value)]),
    });
    const errors = v.files.flatMap((f) => f.errors.map((e) => [f.role, e.line, e.reason]));
    if (errors.length)
      tables.push({ title: 'Invalid lines', headers: ['File', 'Line', 'Reason'], rows: errors });
  }
  if (report.offline) {
    const o = report.offline;
    const global = o.global;
    tables.push({
      title: `Offline metrics (k = ${o.k})`,
      headers: ['Metric', 'Value', 'CI'],
      rows: Object.entries(global.metrics).map(([name, value]) => [
        name,
        fmt(value),
        interval(global.intervals?.[name]?.lo, global.intervals?.[name]?.hi),
      ]),
    });
    tables.push(sliceTable('By segment', o.by_segment));
    tables.push(sliceTable('By surface', o.by_surface));
    if (o.gates) {
      headline = o.gates.passed ? 'regression gates passed' : 'regression gates FAILED';
      tables.push({
        title: `Regression gates (baseline ${o.gates.baseline})`,
        headers: ['Metric', 'Baseline', 'Candidate', 'Delta', 'Max drop', 'Result'],
        rows: o.gates.results.map((g) => [
          g.metric,
          fmt(g.baseline),
          fmt(g.candidate),
          fmt(g.delta),
          fmt(g.tolerance),
          g.passed ? 'pass' : 'FAIL',
        ]),
      });
    }
    const ndcg = `ndcg@${o.k}`;
    charts.push({
      kind: 'interval',
      title: `${ndcg} per segment and surface`,
      rows: [
        {
          label: 'all',
          value: global.metrics[ndcg] ?? 0,
          lo: global.intervals?.[ndcg]?.lo ?? null,
          hi: global.intervals?.[ndcg]?.hi ?? null,
        },
        ...Object.entries(o.by_segment).map(([s, m]) => ({
          label: `segment=${s}`,
          value: m.metrics[ndcg] ?? 0,
          lo: null,
          hi: null,
        })),
        ...Object.entries(o.by_surface).map(([s, m]) => ({
          label: `surface=${s}`,
          value: m.metrics[ndcg] ?? 0,
          lo: null,
          hi: null,
        })),
      ],
    });
  }
  if (report.experiment) {
    const e = report.experiment;
    headline = `decision: ${e.decision.decision.toUpperCase()}`;
    tables.push({
      title: 'Decision',
      headers: ['Decision', 'Control', 'Candidate', 'Primary', 'Reasons'],
      rows: [[e.decision.decision, e.control, e.candidate, e.primary, e.decision.reasons.join('; ')]],
    });
    const metricNames = Object.keys(e.variants[0]?.metrics ?? {});
    tables.push({
      title: `Variants (${Math.round((1 - e.alpha) * 100)}% intervals, delta method)`,
      headers: ['Variant', 'Assignments', 'Exposures', ...metricNames],
      rows: e.variants.map((v) => [
        v.name,
        v.assignments,
        v.exposures,
        ...metricNames.map(
          (m) => `${fmt(v.metrics[m]?.value)} ${interval(v.metrics[m]?.lo, v.metrics[m]?.hi)}`,
        ),
      ]),
    });
    tables.push({
      title: `Comparisons against control ${e.control}`,
      headers: [
        'Variant',
        'Metric',
        'Control',
        'Variant value',
        'Diff [CI]',
        'Relative lift [CI]',
        'p',
        'Significant',
      ],
      rows: e.comparisons.map((c) => [
        c.variant,
        c.metric,
        fmt(c.control_value),
        fmt(c.variant_value),
        `${fmt(c.diff.value)} ${interval(c.diff.lo, c.diff.hi)}`,
        c.relative_lift
          ? `${fmt(c.relative_lift.value)} ${interval(c.relative_lift.lo, c.relative_lift.hi)}`
          : '–',
        fmt(c.p_value),
        c.significant ? 'yes' : 'no',
      ]),
    });
    tables.push({
      title: 'Sample ratio mismatch',
      headers: ['Observed', 'Expected share', 'Chi-square', 'df', 'p', 'Detected'],
      rows: [
        [
          JSON.stringify(e.srm.observed),
          JSON.stringify(e.srm.expected),
          fmt(e.srm.statistic),
          e.srm.df,
          fmt(e.srm.p_value),
          e.srm.detected ? `yes (p < ${e.srm.alpha})` : 'no',
        ],
      ],
    });
    if (e.guardrails.length) {
      tables.push({
        title: 'Guardrails',
        headers: ['Guardrail', 'Variant', 'Result', 'Detail'],
        rows: e.guardrails.map((g) => [g.spec, g.variant, g.passed ? 'pass' : 'BREACH', g.detail]),
      });
    }
    charts.push({
      kind: 'interval',
      title: `${e.primary} per variant`,
      rows: e.variants.map((v) => ({
        label: v.name,
        value: v.metrics[e.primary]?.value ?? 0,
        lo: v.metrics[e.primary]?.lo ?? null,
        hi: v.metrics[e.primary]?.hi ?? null,
      })),
    });
  }
  if (report.ope) {
    const o = report.ope;
    tables.push({
      title: `Off-policy estimates (reward ${o.reward}, clip ${o.clip})`,
      headers: ['Estimator', 'Value', 'SE', 'CI'],
      rows: [
        ['observed (logging policy)', fmt(o.observed_mean_reward), '–', '–'],
        ...(['ips', 'snips', 'dr'] as const).map((name) => [
          name.toUpperCase(),
          fmt(o.estimates[name].value),
          fmt(o.estimates[name].se),
          interval(o.estimates[name].lo, o.estimates[name].hi),
        ]),
      ],
    });
    tables.push({
      title: 'Diagnostics',
      headers: ['Measure', 'Value'],
      rows: Object.entries(o.diagnostics).map(([key, value]) => [key, fmt(value)]),
    });
    charts.push({
      kind: 'interval',
      title: `Estimated ${o.reward} reward per request`,
      rows: [
        { label: 'observed', value: o.observed_mean_reward, lo: null, hi: null },
        ...(['ips', 'snips', 'dr'] as const).map((name) => ({
          label: name.toUpperCase(),
          value: o.estimates[name].value,
          lo: o.estimates[name].lo,
          hi: o.estimates[name].hi,
        })),
      ],
    });
  }
  const byMetric = new Map<string, Series[]>();
  for (const series of report.series)
    byMetric.set(series.metric, [...(byMetric.get(series.metric) ?? []), series]);
  for (const [metric, series] of byMetric) charts.push({ kind: 'time', title: `${metric} by day`, series });
  return { tables, charts, headline };
}

function header(report: EvalReport): [string, string][] {
  return [
    ['Run ID', report.run_id],
    ['Mode', report.mode],
    ['Status', report.status],
    ['Exit code', String(report.exit_code)],
    ['Tool', `${report.tool.name} ${report.tool.version}`],
    ['Created at', report.created_at],
    ['Input window', report.window ? `${report.window.from} – ${report.window.to}` : '–'],
    [
      'Inputs',
      Object.entries(report.inputs)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    ],
    ['Arguments', report.config.args.join(' ')],
  ];
}

/** The effective options of the run (defaults included), one row per option. */
function configTable(report: EvalReport): Table {
  return {
    title: 'Config (effective options)',
    headers: ['Option', 'Value'],
    rows: Object.entries(report.config.options).map(([key, value]) => [
      key,
      value === undefined ? '–' : JSON.stringify(value),
    ]),
  };
}

function mdCell(value: string | number | null): string {
  return String(value ?? '–')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
}

export function renderMarkdown(report: EvalReport): string {
  const { tables, headline } = describe(report);
  const out: string[] = [`# RecSys evaluation report: ${report.mode}`, '', `**${headline}**`, ''];
  out.push(
    '| Field | Value |',
    '| --- | --- |',
    ...header(report).map(([k, v]) => `| ${k} | ${mdCell(v)} |`),
    '',
  );
  out.push('## Counts', '', '| Count | Value |', '| --- | --- |');
  for (const [key, value] of Object.entries(report.counts)) out.push(`| ${key} | ${fmt(value)} |`);
  out.push('');
  for (const table of [...tables, configTable(report)]) {
    out.push(`## ${table.title}`, '', `| ${table.headers.map(mdCell).join(' | ')} |`);
    out.push(`| ${table.headers.map(() => '---').join(' | ')} |`);
    for (const row of table.rows) out.push(`| ${row.map(mdCell).join(' | ')} |`);
    out.push('');
  }
  if (report.series.length) {
    out.push('## Over time', '', '| Metric | Series | Day | Value | n |', '| --- | --- | --- | --- | --- |');
    for (const s of report.series)
      for (const p of s.points)
        out.push(`| ${s.metric} | ${mdCell(s.name)} | ${p.day} | ${fmt(p.value)} | ${p.n} |`);
    out.push('');
  }
  if (report.warnings.length) out.push('## Warnings', '', ...report.warnings.map((w) => `- ${w}`), '');
  return out.join('\n');
}

function esc(value: unknown): string {
  return String(value ?? '–')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/** Horizontal dot plot: one row per label, a dot at the value and a bar from lo to hi. */
export function intervalSvg(chart: IntervalChart): string {
  const rowHeight = 26;
  const labelWidth = 170;
  const plotWidth = 420;
  const height = 58 + chart.rows.length * rowHeight;
  const values = chart.rows
    .flatMap((r) => [r.value, r.lo ?? r.value, r.hi ?? r.value])
    .filter(Number.isFinite);
  let min = Math.min(0, ...values);
  let max = Math.max(...values, 0);
  if (max === min) max = min + 1;
  const pad = (max - min) * 0.05;
  min -= pad;
  max += pad;
  const x = (v: number) => labelWidth + ((v - min) / (max - min)) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 90}" height="${height}" role="img" aria-label="${esc(chart.title)}">`,
    `<text x="4" y="16" font-size="13" font-weight="bold">${esc(chart.title)}</text>`,
    `<line x1="${x(0)}" y1="24" x2="${x(0)}" y2="${height - 24}" stroke="#bbb" stroke-dasharray="3,3"/>`,
    `<line x1="${labelWidth}" y1="${height - 22}" x2="${labelWidth + plotWidth}" y2="${height - 22}" stroke="#999"/>`,
  ];
  for (const tick of [min + pad, (min + max) / 2, max - pad]) {
    parts.push(
      `<line x1="${x(tick)}" y1="${height - 25}" x2="${x(tick)}" y2="${height - 19}" stroke="#999"/>`,
      `<text x="${x(tick)}" y="${height - 7}" font-size="10" text-anchor="middle">${esc(fmt(tick, 4))}</text>`,
    );
  }
  chart.rows.forEach((row, i) => {
    const y = 36 + i * rowHeight;
    parts.push(`<text x="4" y="${y + 4}" font-size="12">${esc(row.label)}</text>`);
    if (row.lo !== null && row.hi !== null && Number.isFinite(row.lo) && Number.isFinite(row.hi)) {
      parts.push(
        `<line x1="${x(row.lo)}" y1="${y}" x2="${x(row.hi)}" y2="${y}" stroke="#555" stroke-width="2"/>`,
        `<line x1="${x(row.lo)}" y1="${y - 5}" x2="${x(row.lo)}" y2="${y + 5}" stroke="#555"/>`,
        `<line x1="${x(row.hi)}" y1="${y - 5}" x2="${x(row.hi)}" y2="${y + 5}" stroke="#555"/>`,
      );
    }
    if (Number.isFinite(row.value)) {
      parts.push(`<circle cx="${x(row.value)}" cy="${y}" r="5" fill="${PALETTE[i % PALETTE.length]}"/>`);
      parts.push(
        `<text x="${labelWidth + plotWidth + 8}" y="${y + 4}" font-size="11">${esc(fmt(row.value, 4))}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Line chart of one metric by UTC day, one polyline per series. */
export function timeSvg(chart: TimeChart): string {
  const width = 640;
  const height = 260;
  const left = 60;
  const top = 28;
  const plotW = width - left - 20;
  const plotH = height - top - 60;
  const days = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.day)))].sort();
  const values = chart.series.flatMap((s) => s.points.map((p) => p.value)).filter(Number.isFinite);
  const min = Math.min(0, ...values);
  let max = Math.max(...values, 0);
  if (max === min) max = min + 1;
  const x = (day: string) =>
    left + (days.length > 1 ? (days.indexOf(day) / (days.length - 1)) * plotW : plotW / 2);
  const y = (v: number) => top + plotH - ((v - min) / (max - min)) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${esc(chart.title)}">`,
    `<text x="4" y="16" font-size="13" font-weight="bold">${esc(chart.title)}</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#999"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#999"/>`,
    `<text x="${left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${esc(fmt(max, 4))}</text>`,
    `<text x="${left - 6}" y="${top + plotH}" font-size="10" text-anchor="end">${esc(fmt(min, 4))}</text>`,
  ];
  days.forEach((day, i) => {
    if (days.length <= 10 || i % Math.ceil(days.length / 10) === 0) {
      parts.push(
        `<text x="${x(day)}" y="${top + plotH + 14}" font-size="10" text-anchor="middle">${esc(day.slice(5))}</text>`,
      );
    }
  });
  chart.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length];
    const points = series.points.filter((p) => Number.isFinite(p.value));
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${x(p.day).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const p of points)
      parts.push(`<circle cx="${x(p.day).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" fill="${color}"/>`);
    parts.push(
      `<rect x="${left + i * 120}" y="${height - 22}" width="10" height="10" fill="${color}"/>`,
      `<text x="${left + i * 120 + 14}" y="${height - 13}" font-size="11">${esc(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export function renderHtml(report: EvalReport): string {
  const { tables, charts, headline } = describe(report);
  const table = (t: Table) =>
    `<h2>${esc(t.title)}</h2><table><thead><tr>${t.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
      .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>RecSys evaluation ${esc(report.run_id)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;margin:.5rem 0 1.5rem}',
    'td,th{border:1px solid #ccc;padding:.25rem .5rem;font-size:.9rem;text-align:left}th{background:#f4f4f4}',
    '.headline{font-size:1.2rem;font-weight:bold}svg{display:block;margin:.5rem 0 1.5rem}</style></head><body>',
    `<h1>RecSys evaluation report: ${esc(report.mode)}</h1>`,
    `<p class="headline">${esc(headline)}</p>`,
    table({ title: 'Run', headers: ['Field', 'Value'], rows: header(report) }),
    table({
      title: 'Counts',
      headers: ['Count', 'Value'],
      rows: Object.entries(report.counts).map(([k, v]) => [k, fmt(v)]),
    }),
    charts.length
      ? `<h2>Plots</h2>${charts.map((c) => (c.kind === 'interval' ? intervalSvg(c) : timeSvg(c))).join('\n')}`
      : '',
    ...tables.map(table),
    table(configTable(report)),
    report.warnings.length
      ? `<h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`
      : '',
    '</body></html>',
    '',
  ].join('\n');
}

/** Validates the report against EvalReportSchema and writes report.json, report.md and report.html into `dir`. */
export async function writeReports(dir: string, report: EvalReport): Promise<EvalReport> {
  const checked = EvalReportSchema.parse(report);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(checked, null, 2)}\n`);
  await writeFile(join(dir, 'report.md'), renderMarkdown(checked));
  await writeFile(join(dir, 'report.html'), renderHtml(checked));
  return checked;
}

import type { EvalReport } from '@recsys/contracts-publisher';

const METRICS = ['precision', 'recall', 'ndcg', 'hit_rate', 'coverage'] as const;

function fmt(value: number | undefined): string {
  return value === undefined ? '—' : value.toFixed(4);
}

export function reportMarkdown(report: EvalReport): string {
  const k = report.candidate.k;
  const lines = [
    `# Evaluation: ${report.tenant}/${report.surface}/${report.segment}`,
    '',
    `- decision: **${report.decision}**${report.forced_reason ? ` (forced: ${report.forced_reason})` : ''}`,
    `- candidate: \`${report.candidate_version}\`; current: ${report.current_version ? `\`${report.current_version}\`` : 'none'}`,
    `- evaluator: ${report.evaluator}; gate metrics: ${report.gate_metrics.join(', ')}; tolerance: ${report.tolerance}`,
    `- train window: ${report.train_window.start} → ${report.train_window.end}`,
    `- holdout window: ${report.holdout_window.start} → ${report.holdout_window.end}`,
    `- users evaluated: ${report.candidate.users}`,
    '',
    `| metric@${k} | candidate | current | delta |`,
    '| --- | ---: | ---: | ---: |',
    ...METRICS.map((m) => {
      const c = report.candidate[m];
      const b = report.current?.[m];
      return `| ${m} | ${fmt(c)} | ${fmt(b)} | ${b === undefined ? '—' : (c - b >= 0 ? '+' : '') + (c - b).toFixed(4)} |`;
    }),
    '',
    '## Reasons',
    '',
    ...report.reasons.map((r) => `- ${r}`),
    '',
    `Generated ${report.generated_at} by recsys-publisher ${report.publisher_version}.`,
    '',
  ];
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Grouped bar chart (candidate vs current per metric) as inline SVG: no scripts, fonts or external assets. */
export function barChartSvg(report: EvalReport): string {
  const width = 640;
  const height = 260;
  const left = 40;
  const bottom = 40;
  const plotH = height - bottom - 20;
  const group = (width - left - 10) / METRICS.length;
  const bar = group / 3;
  const max = Math.max(0.0001, ...METRICS.flatMap((m) => [report.candidate[m], report.current?.[m] ?? 0]));
  const y = (v: number) => 20 + plotH - (v / max) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="candidate vs current metrics">`,
    `<line x1="${left}" y1="${20 + plotH}" x2="${width - 10}" y2="${20 + plotH}" stroke="#333"/>`,
    `<line x1="${left}" y1="20" x2="${left}" y2="${20 + plotH}" stroke="#333"/>`,
    `<text x="4" y="24" font-size="10">${max.toFixed(2)}</text>`,
  ];
  METRICS.forEach((m, i) => {
    const x0 = left + i * group + bar / 2;
    const c = report.candidate[m];
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${y(c).toFixed(1)}" width="${bar.toFixed(1)}" height="${(20 + plotH - y(c)).toFixed(1)}" fill="#2b6cb0"><title>candidate ${m} ${fmt(c)}</title></rect>`,
    );
    if (report.current) {
      const b = report.current[m];
      parts.push(
        `<rect x="${(x0 + bar).toFixed(1)}" y="${y(b).toFixed(1)}" width="${bar.toFixed(1)}" height="${(20 + plotH - y(b)).toFixed(1)}" fill="#a0aec0"><title>current ${m} ${fmt(b)}</title></rect>`,
      );
    }
    parts.push(
      `<text x="${(x0 + bar).toFixed(1)}" y="${height - 22}" font-size="11" text-anchor="middle">${m}</text>`,
    );
  });
  parts.push(
    `<rect x="${width - 170}" y="${height - 16}" width="10" height="10" fill="#2b6cb0"/><text x="${width - 156}" y="${height - 7}" font-size="11">candidate</text>`,
    `<rect x="${width - 90}" y="${height - 16}" width="10" height="10" fill="#a0aec0"/><text x="${width - 76}" y="${height - 7}" font-size="11">current</text>`,
    '</svg>',
  );
  return parts.join('');
}

export function reportHtml(report: EvalReport): string {
  const k = report.candidate.k;
  const rows = METRICS.map(
    (m) =>
      `<tr><td>${m}@${k}</td><td>${fmt(report.candidate[m])}</td><td>${fmt(report.current?.[m])}</td></tr>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation ${escapeHtml(report.candidate_version)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}.refused{color:#c53030}.pass{color:#2f855a}</style>
</head><body>
<h1>Evaluation: ${escapeHtml(`${report.tenant}/${report.surface}/${report.segment}`)}</h1>
<p>Decision: <strong class="${report.decision === 'refused' ? 'refused' : 'pass'}">${report.decision}</strong>${
    report.forced_reason ? ` (forced: ${escapeHtml(report.forced_reason)})` : ''
  }</p>
<p>Candidate <code>${escapeHtml(report.candidate_version)}</code> vs current ${
    report.current_version ? `<code>${escapeHtml(report.current_version)}</code>` : 'none'
  }; evaluator ${report.evaluator}; ${report.candidate.users} users; tolerance ${report.tolerance} on ${escapeHtml(
    report.gate_metrics.join(', '),
  )}.</p>
<p>Train ${escapeHtml(report.train_window.start)} → ${escapeHtml(report.train_window.end)}; holdout ${escapeHtml(
    report.holdout_window.start,
  )} → ${escapeHtml(report.holdout_window.end)}.</p>
${barChartSvg(report)}
<table><thead><tr><th>metric</th><th>candidate</th><th>current</th></tr></thead><tbody>${rows}</tbody></table>
<ul>${report.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
<p><small>Generated ${escapeHtml(report.generated_at)} by recsys-publisher ${escapeHtml(report.publisher_version)}.</small></p>
</body></html>
`;
}

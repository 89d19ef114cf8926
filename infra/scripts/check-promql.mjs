// Parses every PromQL expression of the alert rules and the dashboard with Prometheus' own grammar
// (@prometheus-io/lezer-promql, the parser of the Prometheus web UI). Run by check-infra.sh:
//   node infra/scripts/check-promql.mjs <dir with node_modules/@prometheus-io/lezer-promql> <exprs.json>
// exprs.json: [{where, expr}] as printed by `check_artifacts.py exprs` (Grafana variables already replaced).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [toolsDir, exprsFile] = process.argv.slice(2);
const require = createRequire(join(toolsDir, 'package.json'));
const { parser } = require('@prometheus-io/lezer-promql');

const exprs = JSON.parse(readFileSync(exprsFile, 'utf8'));
const failures = [];
for (const { where, expr } of exprs) {
  const tree = parser.parse(expr);
  let at = -1;
  tree.iterate({
    enter: (node) => {
      if (at < 0 && node.type.isError) at = node.from;
    },
  });
  if (at >= 0) {
    const line = expr.slice(0, at).split('\n').length;
    failures.push(`${where}: PromQL syntax error at line ${line}, near «${expr.slice(at, at + 30).trim()}»`);
  }
}
for (const f of failures) console.log(`  ✘ ${f}`);
if (failures.length) process.exit(1);
console.log(`${exprs.length} PromQL expressions parse`);

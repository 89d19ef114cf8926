// Validates rendered Kubernetes manifests against the API schemas shipped in the npm package kubernetes-models
// (types, required fields, enums, formats). Custom resources (ServiceMonitor, PrometheusRule) are skipped; their
// content is checked by check_artifacts.py. Run by check-infra.sh:
//   node infra/scripts/validate-k8s.mjs <dir holding node_modules/kubernetes-models> <manifest.yaml>...
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [toolsDir, ...files] = process.argv.slice(2);
// kubernetes-models exports its subpaths for `import` only, so specifiers are resolved from a module that lives
// next to the installed node_modules.
const shim = join(toolsDir, 'import-from-here.mjs');
if (!existsSync(shim)) writeFileSync(shim, 'export const load = (specifier) => import(specifier);\n');
const { load } = await import(pathToFileURL(shim).href);
const { parseAllDocuments } = await load('yaml');

const modules = new Map();
async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion];
  const spec = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  if (!modules.has(spec)) {
    let mod;
    try {
      mod = await load(spec);
    } catch {
      mod = undefined;
    }
    modules.set(spec, mod);
  }
  return modules.get(spec)?.[kind];
}

let failures = 0;
for (const file of files) {
  let validated = 0;
  let skipped = 0;
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length) {
      failures++;
      console.log(`${file}: YAML error: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    if (!obj) continue;
    const Model = await modelClass(String(obj.apiVersion), String(obj.kind));
    if (!Model) {
      skipped++;
      continue;
    }
    try {
      new Model(obj).validate();
      validated++;
    } catch (error) {
      failures++;
      console.log(`${obj.kind}/${obj.metadata?.name}: ${error instanceof Error ? error.message : error}`);
    }
  }
  console.log(`${validated} objects valid, ${skipped} custom resources skipped`);
}
process.exit(failures ? 1 : 0);

/**
 * Docs check: every relative link in the repository's Markdown resolves, and each service page's env var
 * table (first column, names in backticks) lists exactly the variables the service reads: its config schema,
 * plus the few read outside it (`env.NAME` in the service's sources and in @recsys/platform, e.g. the
 * OpenTelemetry service name and the admin CLI's settings).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const SKIP = new Set(['node_modules', 'dist', '.git', '.turbo', '.quickstart', '.tools', 'coverage']);
const SERVICES = ['serving', 'admin', 'ingest', 'publisher'];

function tsSources(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) tsSources(path, out);
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Variables read as `env.NAME` / `process.env.NAME` in the given source trees. */
function envReads(dirs: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of dirs.flatMap((dir) => tsSources(dir))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]!);
  }
  return names;
}

function markdownFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) markdownFiles(path, out);
    else if (entry.endsWith('.md')) out.push(path);
  }
  return out;
}

const problems: string[] = [];

for (const file of markdownFiles(root)) {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^(https?:|mailto:|#)/.test(target)) continue;
    const path = resolve(dirname(file), decodeURIComponent(target.split('#')[0]!));
    if (!existsSync(path)) problems.push(`${relative(root, file)}: broken link ${target}`);
  }
}

for (const service of SERVICES) {
  const page = join(root, 'docs/services', `${service}.md`);
  if (!existsSync(page)) {
    problems.push(`docs/services/${service}.md is missing`);
    continue;
  }
  const module = (await import(pathToFileURL(join(root, 'services', service, 'src/config.ts')).href)) as {
    configSchema: { shape: Record<string, unknown> };
  };
  const expected = new Set([
    ...Object.keys(module.configSchema.shape),
    ...envReads([join(root, 'services', service, 'src'), join(root, 'packages/platform/src')]),
  ]);
  const documented = new Set(
    [...readFileSync(page, 'utf8').matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]!),
  );
  for (const name of expected) {
    if (!documented.has(name))
      problems.push(`docs/services/${service}.md: env var ${name} is not documented`);
  }
  for (const name of documented) {
    if (!expected.has(name))
      problems.push(`docs/services/${service}.md: documents ${name}, which the service does not read`);
  }
}

if (problems.length) {
  console.error(`docs check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('docs check passed');

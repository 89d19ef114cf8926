/**
 * Regenerates every committed generated file from the contracts packages:
 *   services/<service>/openapi.json        one OpenAPI 3.1 document per service
 *   packages/sdk/src/generated/<service>.ts  SDK path/operation types (openapi-typescript)
 * With --check nothing is written; the command fails listing each file that would change.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildOpenApiDocument, type DocumentInput } from '@recsys/contract-kit';
import { adminRoutes, adminSchemas } from '@recsys/contracts-admin';
import { ingestRoutes, ingestSchemas } from '@recsys/contracts-ingest';
import { publisherRoutes, publisherSchemas } from '@recsys/contracts-publisher';
import { servingRoutes, servingSchemas } from '@recsys/contracts-serving';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

const services: Record<string, Omit<DocumentInput, 'version'>> = {
  serving: {
    title: 'RecSys serving API',
    description: 'Ranked recommendations and similar items for a tenant surface.',
    serverUrl: 'http://localhost:8000',
    routes: servingRoutes,
    extraSchemas: servingSchemas,
  },
  admin: {
    title: 'RecSys admin API',
    description: 'Control plane: tenants, config, rules, API keys, audit.',
    serverUrl: 'http://localhost:8001',
    routes: adminRoutes,
    extraSchemas: adminSchemas,
  },
  ingest: {
    title: 'RecSys ingest API',
    description: 'Event intake (exposures, outcomes, assignments, catalog) and exports.',
    serverUrl: 'http://localhost:8002',
    routes: ingestRoutes,
    extraSchemas: ingestSchemas,
  },
  publisher: {
    title: 'RecSys publisher API',
    description: 'Scheduled pipeline runner: health and metrics; manifest and artifact documents.',
    serverUrl: 'http://localhost:8003',
    routes: publisherRoutes,
    extraSchemas: publisherSchemas,
  },
};

async function render(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [name, input] of Object.entries(services)) {
    const document = buildOpenApiDocument({ ...input, version: '1.0.0' });
    files.set(join(root, 'services', name, 'openapi.json'), JSON.stringify(document, null, 2) + '\n');
    const ast = await openapiTS(document as never, { defaultNonNullable: false });
    files.set(
      join(root, 'packages/sdk/src/generated', `${name}.ts`),
      `// Generated from services/${name}/openapi.json by @recsys/codegen. Do not edit.\n\n` +
        astToString(ast),
    );
  }
  return files;
}

const check = process.argv.includes('--check');
const files = await render();
const stale: string[] = [];
for (const [path, content] of files) {
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) continue;
  stale.push(relative(root, path));
  if (!check) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
if (check && stale.length) {
  console.error(
    `Generated files are out of date; run \`pnpm generate\` and commit:\n  ${stale.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  stale.length ? `wrote ${stale.length} file(s):\n  ${stale.join('\n  ')}` : 'generated files are up to date',
);

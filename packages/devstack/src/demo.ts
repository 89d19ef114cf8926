/**
 * Demo data for the quickstart, loaded through the real path: admin bootstraps tenant `demo` and an
 * admin-role key (.quickstart/demo.json); ingest receives the catalog and a slice of the Online Retail
 * purchases (the last weeks before 2011-11-09); the publisher builds the signals from ingest's export and
 * loads them into serving (DB-only mode). A second run reuses what is there.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPLIT_AT } from './online-retail.js';
import { importPurchases } from './purchase-import.js';
import { repoRoot, type Stack } from './stack.js';

export const DEMO_TENANT = 'demo';
export const DEMO_SURFACE = 'home';
const SLICE_DAYS = 28;

export interface DemoContext {
  stack: Stack;
  stateDir: string;
  log: (message: string) => void;
}

interface DemoFile {
  tenant: string;
  surface: string;
  urls: { serving: string; admin: string; ingest: string };
  apiKey: string;
}

function serviceHeaders(stack: Stack, contentType = 'application/json'): Record<string, string> {
  return {
    'content-type': contentType,
    'x-service-token': stack.secrets.serviceToken,
    'x-org-id': DEMO_TENANT,
  };
}

async function ensureTenantAndKey(context: DemoContext, path: string): Promise<string> {
  const { stack } = context;
  const created = await fetch(`${stack.urls.admin}/v1/admin/tenants`, {
    method: 'POST',
    headers: serviceHeaders(stack),
    body: JSON.stringify({ external_id: DEMO_TENANT, display_name: 'Demo' }),
  });
  if (created.status !== 201 && created.status !== 409) {
    throw new Error(`creating tenant demo failed: ${created.status} ${await created.text()}`);
  }
  if (existsSync(path)) {
    const previous = JSON.parse(readFileSync(path, 'utf8')) as DemoFile;
    const check = await fetch(`${stack.urls.admin}/internal/v1/keys/verify`, {
      method: 'POST',
      headers: serviceHeaders(stack),
      body: JSON.stringify({ api_key: previous.apiKey }),
    });
    if (check.status === 200) return previous.apiKey;
  }
  const key = await fetch(`${stack.urls.admin}/v1/admin/tenants/${DEMO_TENANT}/keys`, {
    method: 'POST',
    headers: serviceHeaders(stack),
    body: JSON.stringify({ name: 'quickstart', roles: ['admin'] }),
  });
  if (key.status !== 201) throw new Error(`creating the demo key failed: ${key.status} ${await key.text()}`);
  return ((await key.json()) as { api_key: string }).api_key;
}

async function hasLiveSignals(stack: Stack): Promise<boolean> {
  const res = await fetch(
    `${stack.urls.serving}/internal/v1/signals/${DEMO_TENANT}/${DEMO_SURFACE}/default`,
    {
      headers: serviceHeaders(stack),
    },
  );
  if (res.status !== 200) return false;
  return Boolean(((await res.json()) as { live?: unknown }).live);
}

async function publish(context: DemoContext): Promise<void> {
  const { stack } = context;
  const args = [
    join(repoRoot, 'services/publisher/dist/cli.js'),
    'run',
    '--tenant',
    DEMO_TENANT,
    '--surface',
    DEMO_SURFACE,
    '--input',
    'export',
    '--mode',
    'db',
    '--from',
    new Date(SPLIT_AT - SLICE_DAYS * 86_400_000).toISOString(),
    '--to',
    new Date(SPLIT_AT).toISOString(),
    '--as-of',
    new Date(SPLIT_AT).toISOString(),
    '--ease-items',
    '1500',
  ];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...stack.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`publisher run exited ${code}:\n${output.slice(-2000)}`)),
    );
  });
  context.log('publisher built the signals and loaded them into serving');
}

export async function loadDemo(context: DemoContext): Promise<DemoFile> {
  const { stack, log } = context;
  const path = join(context.stateDir, 'demo.json');
  const apiKey = await ensureTenantAndKey(context, path);
  const demo: DemoFile = {
    tenant: DEMO_TENANT,
    surface: DEMO_SURFACE,
    urls: { serving: stack.urls.serving, admin: stack.urls.admin, ingest: stack.urls.ingest },
    apiKey,
  };
  writeFileSync(path, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  if (await hasLiveSignals(stack)) log('demo signals already live; skipping import and publish');
  else {
    await importPurchases(stack, {
      tenant: DEMO_TENANT,
      surface: DEMO_SURFACE,
      from: SPLIT_AT - SLICE_DAYS * 86_400_000,
      to: SPLIT_AT,
      eventIdPrefix: 'demo',
      log,
    });
    await publish(context);
  }
  const check = await fetch(`${stack.urls.serving}/v1/recommend`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ surface: DEMO_SURFACE, k: 5, user: { user_id: '14911' } }),
  });
  const body = (await check.json()) as { items?: unknown[]; meta?: { request_id?: string } };
  if (check.status !== 200 || !body.items?.length) {
    throw new Error(`demo check failed: ${check.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  await expectExposure(stack, apiKey, body.meta?.request_id ?? '');
  log(`checked: /v1/recommend answered ${body.items.length} items and its exposure is in ingest's export`);
  printInstructions(demo);
  return demo;
}

/** The exposure of a served response reaches ingest (serving → stream → ingest) and is readable from its export. */
async function expectExposure(stack: Stack, apiKey: string, requestId: string): Promise<void> {
  const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${stack.urls.ingest}/v1/exports/events?types=exposure&${range}`, {
      headers: { 'x-api-key': apiKey },
    });
    const text = res.status === 200 ? await res.text() : '';
    const found = text
      .split('\n')
      .filter(Boolean)
      .some((line) => (JSON.parse(line) as { request_id?: string }).request_id === requestId);
    if (found) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the exposure of request ${requestId} did not appear in ingest's export (${res.status})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function printInstructions(demo: DemoFile): void {
  const key = `$(node -p "require('./.quickstart/demo.json').apiKey")`;
  console.log(`
Demo tenant "${demo.tenant}" is live. The admin-role API key is in .quickstart/demo.json.

  # recommendations for a known customer
  curl -s ${demo.urls.serving}/v1/recommend -H "X-API-Key: ${key}" -H 'content-type: application/json' \\
    -d '{"surface":"home","k":5,"user":{"user_id":"14911"},"options":{"include_reasons":true}}'

  # items similar to one product
  curl -s ${demo.urls.serving}/v1/similar -H "X-API-Key: ${key}" -H 'content-type: application/json' \\
    -d '{"surface":"home","item_id":"85123A","k":5}'

  # report a purchase; the customer's next response reflects it within seconds
  curl -s ${demo.urls.ingest}/v1/events/outcomes -H "X-API-Key: ${key}" -H 'content-type: application/json' \\
    -d '{"events":[{"type":"purchase","item_id":"22423","user_id":"14911","occurred_at":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'"}]}'

  # the exposures logged for those responses, as an evaluator reads them
  curl -s "${demo.urls.ingest}/v1/exports/events?types=exposure&from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z" -H "X-API-Key: ${key}"

SDK (Node):
  import { createRecsysClient, unwrap } from '@recsys/sdk';
  const recsys = createRecsysClient({ servingUrl: '${demo.urls.serving}', apiKey: process.env.RECSYS_API_KEY });
  const { items } = unwrap(await recsys.serving.POST('/v1/recommend', { body: { surface: 'home', k: 5, user: { user_id: '14911' } } }));
`);
}

/**
 * Prepares tenant `retail` through the real path, as the protocol demands: only train-window purchases reach
 * the system. admin: tenant + API key; ingest: catalog items and purchase outcomes (bulk NDJSON);
 * publisher: `run` over ingest's export into serving (DB-only mode).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, startStack, type Stack } from '@recsys/devstack/stack';
import { SPLIT_AT } from '@recsys/devstack/online-retail';
import { importPurchases } from '@recsys/devstack/purchase-import';

/** The stack every bench and tune script runs against: state in .bench/, its own database and Redis prefix. */
export function startBenchStack(log: (m: string) => void): Promise<Stack> {
  return startStack({
    stateDir: join(repoRoot, '.bench'),
    basePort: Number(process.env.BENCH_BASE_PORT ?? 18000),
    database: 'recsys_bench',
    redisKeyPrefix: 'bench:',
    env: {
      INGEST_RETENTION_DAYS: '0',
      LOG_LEVEL: 'warn',
      // The per-tenant rate limit stays on, as deployed, with a bucket the load never empties.
      TENANT_RATE_LIMIT_CAPACITY: '1000000000',
      TENANT_RATE_LIMIT_REFILL_RATE: '1000000000',
    },
    log,
  });
}

export const TENANT = 'retail';
export const SURFACE = 'home';

export interface Timings {
  [stage: string]: { seconds: number; detail?: string };
}

async function call(
  stack: Stack,
  service: 'admin' | 'ingest' | 'serving',
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await fetch(stack.urls[service] + path, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-service-token': stack.secrets.serviceToken,
      'x-org-id': TENANT,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates the tenant (if absent) and a fresh admin-role API key; returns the key. */
export async function bootstrapTenant(stack: Stack): Promise<string> {
  const created = await call(stack, 'admin', 'POST', '/v1/admin/tenants', {
    external_id: TENANT,
    display_name: 'Online Retail',
  });
  if (created.status !== 201 && created.status !== 409) {
    throw new Error(`creating tenant failed: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const key = await call(stack, 'admin', 'POST', `/v1/admin/tenants/${TENANT}/keys`, {
    name: `bench-${Date.now()}`,
    roles: ['admin'],
  });
  if (key.status !== 201) throw new Error(`creating key failed: ${key.status} ${JSON.stringify(key.body)}`);
  return key.body.api_key as string;
}

export async function importTrain(stack: Stack, log: (m: string) => void, splitAt = SPLIT_AT) {
  return importPurchases(stack, {
    tenant: TENANT,
    surface: SURFACE,
    from: 0,
    to: splitAt,
    eventIdPrefix: 'or',
    log,
  });
}

/** Runs `recsys-publisher run` for the train window into serving (DB-only mode). */
export async function publish(
  stack: Stack,
  log: (m: string) => void,
  args: string[] = [],
): Promise<{ seconds: number; output: string }> {
  const started = performance.now();
  const cli = join(repoRoot, 'services/publisher/dist/cli.js');
  const argv = [
    cli,
    'run',
    '--tenant',
    TENANT,
    '--surface',
    SURFACE,
    '--input',
    'export',
    '--mode',
    'db',
    '--from',
    '2010-12-01T00:00:00Z',
    '--to',
    new Date(SPLIT_AT).toISOString(),
    '--as-of',
    new Date(SPLIT_AT).toISOString(),
    // Rebuilding the fixed benchmark window is not a deployment decision: the gate would compare against the
    // live version, which has already seen the gate's holdout days.
    '--no-gate',
    ...args,
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      env: { ...stack.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`publisher run exited ${code}:\n${out.slice(-3000)}`)),
    );
  });
  log('publisher run finished');
  return { seconds: (performance.now() - started) / 1000, output };
}

export async function hasLiveSignals(stack: Stack, tenant = TENANT): Promise<boolean> {
  const res = await fetch(`${stack.urls.serving}/internal/v1/signals/${tenant}/${SURFACE}/default`, {
    headers: { 'x-service-token': stack.secrets.serviceToken, 'x-org-id': tenant },
  });
  return res.status === 200 && Boolean(((await res.json()) as { live?: unknown }).live);
}

/**
 * A synthetic catalog shaped like Online Retail but larger (default 100k items, 1M users): Zipf popularity,
 * neighbour lists, per-user histories. Loaded into serving through its internal bulk-load endpoint (the same
 * path the publisher uses in DB-only mode) as tenant `synthetic`.
 */
import { createHash } from 'node:crypto';
import type { Stack } from '@recsys/devstack/stack';
import { SURFACE } from './retail.js';

export const SYNTHETIC_TENANT = 'synthetic';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticShape {
  items: number;
  users: number;
  /** i2i neighbours per item (default 20). */
  neighbours?: number;
  /** History items per user (default 3). */
  historyPerUser?: number;
  /** Id of the i-th item (default `sku-<i>`). */
  itemId?: (i: number) => string;
}

/**
 * The synthetic snapshot's artifacts: popularity of every item (Zipf), `neighbours` i2i neighbours per item and
 * `historyPerUser` history items per user, drawn from `random` (by default a fixed seed).
 */
export function syntheticArtifacts(options: SyntheticShape, random = rng(42)) {
  const k = options.neighbours ?? 20;
  const perUser = options.historyPerUser ?? 3;
  const item = options.itemId ?? ((i: number) => `sku-${i}`);
  // Zipf-like rank sampling.
  const zipf = () => Math.min(options.items - 1, Math.floor(Math.pow(random(), 2.2) * options.items));
  const window = { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' };
  const envelope = (type: string) => ({
    v: 1,
    artifact_type: type,
    tenant: SYNTHETIC_TENANT,
    surface: SURFACE,
    segment: 'default',
    window,
    build: {
      built_at: new Date().toISOString(),
      version: 'bench',
      source_hash: 'synthetic',
      params: { seed: 42 },
    },
  });
  const popularity = {
    ...envelope('popularity'),
    items: Array.from({ length: options.items }, (_, i) => ({
      item_id: item(i),
      score: 1e6 / (i + 1),
      count: Math.max(1, Math.round(1e5 / (i + 1))),
    })),
  };
  const neighbours = Array.from({ length: options.items }, (_, i) => ({
    item_id: item(i),
    items: Array.from({ length: k }, (_, j) => ({ item_id: item(zipf()), score: 1 / (j + 1) })).filter(
      (n) => n.item_id !== item(i),
    ),
  }));
  const i2i = { ...envelope('i2i'), neighbors: neighbours };
  const users = Array.from({ length: options.users }, (_, u) => ({
    user_id: `user-${u}`,
    items: Array.from({ length: perUser }, (_, j) => ({ item_id: item(zipf()), score: perUser - j })),
  }));
  const implicit = { ...envelope('implicit'), users };
  return { popularity, i2i, implicit };
}

export async function loadSynthetic(
  stack: Stack,
  options: SyntheticShape & { log: (m: string) => void },
): Promise<{ apiKey: string; sampleUsers: string[]; summary: Record<string, number> }> {
  const random = rng(42);
  const artifacts = syntheticArtifacts(options, random);
  const body = JSON.stringify({
    manifest: {
      v: 1,
      tenant: SYNTHETIC_TENANT,
      surface: SURFACE,
      segment: 'default',
      version: 'synthetic-1',
      current: {},
      artifacts: {},
      updated_at: new Date().toISOString(),
      previous_version: null,
    },
    artifacts,
  });
  const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const finalBody = body.replace('"synthetic-1"', JSON.stringify(version));
  options.log(
    `synthetic snapshot: ${options.items} items, ${options.users} users, ${(finalBody.length / 2 ** 20).toFixed(0)} MiB`,
  );
  const headers = {
    'content-type': 'application/json',
    'x-service-token': stack.secrets.serviceToken,
    'x-org-id': SYNTHETIC_TENANT,
  };
  const created = await fetch(`${stack.urls.admin}/v1/admin/tenants`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ external_id: SYNTHETIC_TENANT, display_name: 'Synthetic' }),
  });
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`tenant: ${created.status} ${await created.text()}`);
  const key = await fetch(`${stack.urls.admin}/v1/admin/tenants/${SYNTHETIC_TENANT}/keys`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'bench', roles: ['admin'] }),
  });
  const apiKey = ((await key.json()) as { api_key: string }).api_key;
  const base = `${stack.urls.serving}/internal/v1/signals/${SYNTHETIC_TENANT}/${SURFACE}/default/versions/${version}`;
  const started = performance.now();
  const staged = await fetch(base, { method: 'PUT', headers, body: finalBody });
  if (staged.status >= 300) throw new Error(`staging synthetic: ${staged.status} ${await staged.text()}`);
  const activated = await fetch(`${base}/activate`, { method: 'POST', headers });
  if (activated.status >= 300)
    throw new Error(`activating synthetic: ${activated.status} ${await activated.text()}`);
  const loadSeconds = (performance.now() - started) / 1000;
  const sampleUsers = Array.from({ length: 2000 }, () => `user-${Math.floor(random() * options.users)}`);
  return {
    apiKey,
    sampleUsers,
    summary: { items: options.items, users: options.users, bodyMiB: finalBody.length / 2 ** 20, loadSeconds },
  };
}

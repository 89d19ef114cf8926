import pg from 'pg';
import type { Stack } from './stack.js';

/**
 * Retires a tenant's live signal versions in serving's own tables and restarts serving, so that the process
 * holds only the other tenants' snapshots. For the bench: a snapshot a previous run published (the 1M-user
 * synthetic one) would otherwise stay loaded, and its heap would weigh on a measurement that is meant to run
 * with one snapshot, as on a fresh stack. Returns how many versions it retired.
 */
export async function retireLiveSignals(stack: Stack, tenantId: string): Promise<number> {
  const schema = stack.env.SERVING_DB_SCHEMA ?? 'serving';
  const client = new pg.Client({ connectionString: stack.env.DATABASE_URL });
  await client.connect();
  let retired: number;
  try {
    const result = await client.query(
      `UPDATE "${schema}".signal_versions SET status = 'retired', retired_at = now()
       WHERE tenant_id = $1 AND status = 'live'`,
      [tenantId],
    );
    retired = result.rowCount ?? 0;
  } finally {
    await client.end();
  }
  if (retired > 0) {
    await stack.stopService('serving');
    await stack.startService('serving');
  }
  return retired;
}

/**
 * What the serving tune scripts start from: the tenant's API key, with Online Retail's signals live (imported and
 * published when none are) and alone in serving, as `pnpm bench` measures them.
 */
import { retireLiveSignals } from '@recsys/devstack/signals';
import type { Stack } from '@recsys/devstack/stack';
import { bootstrapTenant, hasLiveSignals, importTrain, publish } from '../src/retail.js';
import { SYNTHETIC_TENANT } from '../src/synthetic.js';

export async function retailSignalsAlone(stack: Stack, log: (m: string) => void): Promise<string> {
  const apiKey = await bootstrapTenant(stack);
  await retireLiveSignals(stack, SYNTHETIC_TENANT);
  if (!(await hasLiveSignals(stack))) {
    await importTrain(stack, log);
    await publish(stack, log);
  }
  return apiKey;
}

/**
 * Times the read stage alone (synthetic input → accumulate) with an optional small pair budget, so the pruning
 * regime that 100× reaches can be reproduced at a fraction of the size:
 *
 *   node --conditions=source --import tsx tune/read-timing.ts [--scale 3] [--pair-budget 2000000] [--cpu-prof]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DAY_MS } from '../src/domain/events.js';
import { accumulate } from '../src/domain/artifacts/accumulate.js';
import { syntheticRetail } from '../bench/synthetic.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '3' },
    'pair-budget': { type: 'string' },
    'transition-budget': { type: 'string' },
  },
});

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const start = Date.parse('2010-12-01T00:00:00Z');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const acc = await accumulate(syntheticRetail({ scale: Number(values.scale) }), {
  asOf: start + 343 * DAY_MS,
  window: { start, end: start + 343 * DAY_MS },
  halfLifeMs: 14 * DAY_MS,
  typeWeights: { purchase: 1 },
  sessionGapMs: 30 * 60_000,
  maxItemsPerSession: 200,
  userWindowMs: 7 * DAY_MS,
  userWindowItems: 20,
  userWindowWeight: 0.5,
  maxItems: 10_000_000,
  maxUsers: 50_000_000,
  maxPairs: 400_000_000,
  keepFloor: 125,
  ...(values['pair-budget'] ? { pairBudget: Number(values['pair-budget']) } : {}),
  ...(values['transition-budget'] ? { transitionBudget: Number(values['transition-budget']) } : {}),
});
const cpu = process.cpuUsage(cpu0);
let slots = 0;
for (const t of acc.pairs) slots += t.capacity;
console.log(
  JSON.stringify({
    scale: Number(values.scale),
    events: acc.stats.events,
    items: acc.itemIds.length,
    users: acc.userIds.length,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
    cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    pair_entries: acc.stats.pairEntries,
    pair_slots: slots,
    pruned_pairs: acc.stats.prunedPairs,
    pruned_transitions: acc.stats.prunedTransitions,
    gc_seconds: Number((gcMs / 1000).toFixed(2)),
    rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);

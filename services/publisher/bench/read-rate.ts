/**
 * Read-stage probe (not a test): feeds the synthetic set of `--scale` through the accumulator alone and prints
 * CPU µs per event for each slice of `--every` events, so the cost of counting can be followed as the counters
 * fill and pruning starts; `--profile-from N` writes a CPU profile from event N on. `pnpm --filter
 * @recsys/publisher bench:read -- --scale 100 [--limit 10000000] [--every 2000000]`
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Accumulator } from '../src/domain/artifacts/accumulate.js';
import { accumulateParams } from '../src/domain/pipeline.js';
import { DAY_MS } from '../src/domain/events.js';
import { syntheticRetail } from './synthetic.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    scale: { type: 'string', default: '100' },
    limit: { type: 'string', default: 'Infinity' },
    every: { type: 'string', default: '2000000' },
    'profile-from': { type: 'string' },
    'profile-out': { type: 'string', default: 'read.cpuprofile' },
  },
});
const scale = Number(values.scale);
const limit = Number(values.limit);
const every = Number(values.every);
const start = Date.parse('2010-12-01T00:00:00Z');
const window = { start, end: start + 343 * DAY_MS };
const acc = new Accumulator(
  accumulateParams(
    {
      halfLifeMs: 14 * DAY_MS,
      topN: 50,
      maxItems: 10_000_000,
      maxUsers: 50_000_000,
      maxPairs: 400_000_000,
      sessionGapMs: 30 * 60_000,
      maxItemsPerSession: 200,
      userWindowMs: 7 * DAY_MS,
      userWindowItems: 20,
      userWindowWeight: 0.5,
    } as Parameters<typeof accumulateParams>[0],
    window,
    window.end,
  ),
);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let events = 0;
const profileFrom = values['profile-from'] ? Number(values['profile-from']) : Infinity;
const session = new Session();
let profiling = false;
let sliceStart = cpu();
const t0 = sliceStart;
for await (const record of syntheticRetail({ scale })) {
  acc.add(record);
  if (record.kind !== 'event') continue;
  if (++events % every === 0) {
    const now = cpu();
    const perEvent = ((now - sliceStart) / every) * 1e6;
    const rss = process.memoryUsage.rss() / 2 ** 20;
    console.log(
      `${events}\t${perEvent.toFixed(2)} µs/event\tcpu ${(now - t0).toFixed(1)} s\trss ${rss.toFixed(0)} MiB`,
    );
    sliceStart = now;
  }
  if (events === profileFrom) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    profiling = true;
  }
  if (events >= limit) break;
}
if (profiling) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(values['profile-out']!, JSON.stringify(profile));
}
acc.finish();
const { pairEntries, prunedPairs, prunedTransitions } = acc.state.stats;
console.log({ pairEntries, prunedPairs, prunedTransitions });
console.log(
  `total ${events} events, ${(cpu() - t0).toFixed(1)} CPU s, peak rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);

import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuByProcess, measure, percentile } from './load.js';

describe('load measurement', () => {
  it('when percentiles are taken, then each is the nearest-rank value of the sorted latencies', () => {
    const sorted = Float64Array.from({ length: 200 }, (_, i) => i + 1); // 1 … 200 ms
    expect(percentile(sorted, 50)).toBe(100);
    expect(percentile(sorted, 95)).toBe(190);
    expect(percentile(sorted, 99)).toBe(198);
    expect(percentile(Float64Array.of(3.14159), 95)).toBe(3.14);
    expect(percentile(new Float64Array(0), 95)).toBe(0);
  });

  it('when a server answers 2xx slowly, then p50, p95 and p99 come from its responses', async () => {
    // Every tenth request waits 40 ms, the rest answer at once: p50 is fast, p95 and p99 are not.
    let n = 0;
    const server: Server = createServer((_req, res) => {
      const slow = n++ % 10 === 0;
      setTimeout(() => res.end('ok'), slow ? 40 : 0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const r = await measure('test', {
        url: `http://127.0.0.1:${port}/`,
        connections: 4,
        durationSeconds: 1,
        warmupSeconds: 0,
      });
      expect(r.rps).toBeGreaterThan(0);
      expect(r.p50).toBeLessThan(20);
      expect(r.p95).toBeGreaterThanOrEqual(39);
      expect(r.p99).toBeGreaterThanOrEqual(r.p95);
    } finally {
      server.close();
    }
  }, 20_000);

  it('when a named process has a busy child (a node:cluster worker), then its CPU counts as the named one', async () => {
    // The parent idles; its child spins for 0.8 s, then idles until both exit.
    const child = `const t = Date.now(); while (Date.now() - t < 800) {} setTimeout(() => {}, 4000);`;
    const parentCode = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: 'ignore' }); setTimeout(() => {}, 5000);`;
    const parent = spawn(process.execPath, ['-e', parentCode], { stdio: 'ignore' });
    try {
      const before = cpuByProcess({ parent: parent.pid });
      await sleep(1_500);
      const after = cpuByProcess({ parent: parent.pid });
      const total = after.parent! - (before.parent ?? 0);
      const main = after['parent main thread']! - (before['parent main thread'] ?? 0);
      expect(total).toBeGreaterThan(0.5);
      expect(main).toBeLessThan(0.3);
    } finally {
      parent.kill('SIGKILL');
    }
  }, 20_000);
});

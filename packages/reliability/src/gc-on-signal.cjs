// Preloaded into the services by the soak (NODE_OPTIONS="--expose-gc --require <this file>"): on SIGUSR2 the
// process runs a full garbage collection and writes what survived (heap used, RSS) to
// $SOAK_GC_REPORT_DIR/<pid>.json, so the soak reads the retained heap instead of a point on the allocation
// sawtooth. Nothing else changes in the service.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

process.on('SIGUSR2', () => {
  if (typeof globalThis.gc !== 'function') return;
  globalThis.gc();
  const { heapUsed, heapTotal, external, arrayBuffers, rss } = process.memoryUsage();
  const dir = process.env.SOAK_GC_REPORT_DIR;
  if (dir) {
    const report = { heapUsed, heapTotal, external, arrayBuffers, rss, at: Date.now() };
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(report));
  }
});

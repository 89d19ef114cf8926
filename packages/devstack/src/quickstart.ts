/**
 * `pnpm quickstart`: the whole suite locally with demo data (see stack.ts for what it starts), then keeps
 * serving until Ctrl-C, which stops everything cleanly. `--smoke` starts, loads, checks and stops (CI).
 */
import { join } from 'node:path';
import { loadDemo } from './demo.js';
import { repoRoot, startStack, type Stack } from './stack.js';

const smoke = process.argv.includes('--smoke');
const log = (message: string) => console.log(`[quickstart] ${message}`);

async function main(): Promise<void> {
  const started = Date.now();
  let stack: Stack | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) process.exit(code);
    stopping = true;
    log('stopping…');
    await stack?.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    const stateDir = join(repoRoot, '.quickstart');
    stack = await startStack({
      stateDir,
      basePort: 8000,
      database: 'recsys',
      redisKeyPrefix: '',
      // The demo data is historical (2011): keep it rather than reject it as older than the retention window.
      env: { INGEST_RETENTION_DAYS: '0' },
      log,
    });
    await loadDemo({ stack, stateDir, log });
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`[quickstart] failed: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
  if (smoke) await stop(0);
  log('press Ctrl-C to stop');
}

void main();

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('snapshot size accounting', () => {
  it.each([
    ['short item ids', 'short'],
    ['UUID-like item ids', 'uuid'],
  ])(
    'when a snapshot with %s is built, then its accounted size is within 15%% of the memory it holds',
    async (_name, ids) => {
      const { stdout } = await run(
        process.execPath,
        [
          '--expose-gc',
          '--conditions=source',
          '--import',
          'tsx',
          join(__dirname, 'fixtures/snapshot-memory.ts'),
          ids,
        ],
        { cwd: join(__dirname, '..') },
      );
      const { accounted, measured } = JSON.parse(stdout) as { accounted: number; measured: number };
      expect(accounted / measured).toBeGreaterThan(0.85);
      expect(accounted / measured).toBeLessThan(1.15);
    },
  );
});

import type { Logger } from '@recsys/platform/logger';
import type { Stage } from './domain/pipeline.js';

/**
 * Progress of long stages: a redrawn bar on stderr when it is a terminal, nothing otherwise (the pipeline
 * logs a structured `stage done` line per stage either way).
 */
export function createStageReporter(stream: NodeJS.WriteStream, logger: Logger): (name: string) => Stage {
  const tty = Boolean(stream.isTTY);
  return (name) => {
    let total: number | undefined;
    let last = 0;
    let done = 0;
    const render = (final = false) => {
      if (!tty) return;
      const now = Date.now();
      if (!final && now - last < 100) return;
      last = now;
      const width = 30;
      let line: string;
      if (total) {
        const fraction = Math.min(1, done / total);
        const filled = Math.round(fraction * width);
        line = `${name.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total}`;
      } else {
        line = `${name.padEnd(9)} ${done.toLocaleString('en')} …`;
      }
      stream.write(`\r${line.padEnd(78)}${final ? '\n' : ''}`);
    };
    return {
      start(t?: number) {
        if (t !== undefined) total = t;
        logger.debug({ stage: name }, 'stage start');
        render();
      },
      tick(d: number) {
        done = d;
        render();
      },
      end() {
        render(true);
      },
    };
  };
}

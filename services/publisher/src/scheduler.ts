import { Writable } from 'node:stream';
import type { Deps } from './deps.js';
import { runCli } from './commands.js';
import { ExitCode } from './exit-codes.js';

export interface ScheduleTarget {
  tenant: string;
  surface: string;
  segment: string;
}

export function parseTargets(list: string[]): ScheduleTarget[] {
  return list.map((entry) => {
    const [tenant, surface, segment] = entry.split(':').map((s) => s.trim());
    if (!tenant || !surface)
      throw new Error(`PUBLISHER_SCHEDULE_TARGETS entry "${entry}" is not tenant:surface[:segment]`);
    return { tenant, surface, segment: segment || 'default' };
  });
}

/**
 * Scheduled mode: every interval, `run` for each target in turn (never two cycles at once). Outcomes feed
 * the run counter and, on success, the freshness gauge; failures are logged and retried next cycle.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  lastCycle: { at: Date; codes: Record<string, number> } | undefined;
  /** The last result document (JSON) of each target's run. */
  readonly lastOutput = new Map<string, string>();

  constructor(
    private readonly deps: Deps,
    private readonly targets: ScheduleTarget[],
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || !this.targets.length) return;
    const tick = () => {
      if (this.stopped) return;
      if (!this.running)
        this.running = this.cycle()
          .then(
            () => undefined,
            () => undefined,
          )
          .finally(() => (this.running = undefined));
      this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  async cycle(): Promise<Record<string, number>> {
    const codes: Record<string, number> = {};
    for (const t of this.targets) {
      if (this.stopped) break;
      const name = `${t.tenant}:${t.surface}:${t.segment}`;
      try {
        let output = '';
        const sink = new Writable({
          write(chunk, _enc, cb) {
            output += String(chunk);
            cb();
          },
        }) as unknown as NodeJS.WriteStream;
        codes[name] = await runCli(
          ['run', '--tenant', t.tenant, '--surface', t.surface, '--segment', t.segment],
          {
            deps: this.deps,
            stdout: sink,
            stderr: sink,
          },
        );
        this.lastOutput.set(name, output.trim());
      } catch (error) {
        this.deps.logger.error({ err: error, target: name }, 'scheduled run failed');
        codes[name] = ExitCode.FAILURE;
      }
      this.deps.logger.info({ target: name, exit_code: codes[name] }, 'scheduled run finished');
    }
    this.lastCycle = { at: new Date(), codes };
    return codes;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

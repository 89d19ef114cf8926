/**
 * Reference backpressure (§7.2): at most `maxInflight` requests ranking at once. With a queue, a request
 * first takes a queue slot (queue full → refused at once) and then waits up to `waitTimeoutMs` for an
 * in-flight slot; with no queue it waits up to `waitTimeoutMs` (0 = refused at once). `maxInflight` 0
 * disables it. No I/O: a counter and a FIFO of waiters.
 */
export class OverloadedError extends Error {
  constructor() {
    super('overloaded');
    this.name = 'OverloadedError';
  }
}

export class Backpressure {
  private inflight = 0;
  private readonly waiters: { grant: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly maxInflight: number,
    private readonly maxQueue: number,
    private readonly waitTimeoutMs: number,
  ) {}

  get enabled(): boolean {
    return this.maxInflight > 0;
  }

  get inFlight(): number {
    return this.inflight;
  }

  /** Resolves with a release function, or rejects with OverloadedError. */
  acquire(): Promise<() => void> {
    if (!this.enabled) return Promise.resolve(noop);
    if (this.inflight < this.maxInflight && this.waiters.length === 0) {
      this.inflight++;
      return Promise.resolve(this.releaser());
    }
    if (this.waitTimeoutMs <= 0) return Promise.reject(new OverloadedError());
    if (this.maxQueue > 0 && this.waiters.length >= this.maxQueue)
      return Promise.reject(new OverloadedError());
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          this.inflight++;
          resolve(this.releaser());
        },
        timer: setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new OverloadedError());
        }, this.waitTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inflight--;
      const next = this.waiters.shift();
      if (next) next.grant();
    };
  }
}

function noop(): void {}

import type { Server } from 'node:http';
import type { Listenable } from './hot-routes.js';
import type { Logger } from './logger.js';

export interface Closer {
  name: string;
  close: () => Promise<unknown> | unknown;
}

export function listen(app: Listenable, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  });
}

/**
 * Graceful stop: stop accepting, let in-flight requests finish (up to timeoutMs), then run the closers in
 * order (consumers before pools, so nothing is acked against a closed database).
 */
export async function drainAndClose(
  server: Server | undefined,
  closers: Closer[],
  logger: Logger,
  timeoutMs: number,
): Promise<void> {
  if (server) {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn({ timeout_ms: timeoutMs }, 'drain timeout: closing remaining connections');
      server.closeAllConnections();
    }, timeoutMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }
  for (const closer of closers) {
    try {
      await closer.close();
    } catch (error) {
      logger.error({ err: error, closer: closer.name }, 'error while closing');
    }
  }
}

export interface ShutdownSignalOptions {
  /** Default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /**
   * Default true. A cluster worker sets false: a supervisor signalling the whole process group and the primary
   * forwarding the same stop must not turn a drain into an abrupt exit (the primary kills after its timeout).
   */
  secondSignalExits?: boolean;
}

/**
 * Installs SIGTERM/SIGINT handlers: the first signal drains and exits 0 (1 if closing failed badly);
 * a second signal exits at once.
 */
export function onShutdownSignal(
  logger: Logger,
  stop: (signal: string) => Promise<void>,
  exit: (code: number) => void = (code) => process.exit(code),
  options: ShutdownSignalOptions = {},
): void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      if (options.secondSignalExits === false) return;
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop(signal).then(
      () => {
        logger.info('shutdown complete');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, handler);
}

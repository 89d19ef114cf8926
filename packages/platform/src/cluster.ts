import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import client from 'prom-client';
import type { Logger } from './logger.js';

/**
 * One process per core on a single host: the primary forks `workers` copies of the service, which share the
 * listening port (node:cluster hands accepted connections out round-robin). The primary serves no requests:
 * it runs one-time setup (migrations) before forking, restarts a worker that dies unexpectedly, forwards
 * SIGTERM/SIGINT so every worker drains, and answers the workers' requests for cluster-wide metrics, so a
 * scrape of /metrics on any worker reports the sum (or max, per metric) over all of them: the primary collects
 * every listening worker's registry as JSON and aggregates it with prom-client's AggregatorRegistry.
 */

/** worker → primary: render everyone's metrics for me. */
const METRICS_REQUEST = 'recsys:cluster-metrics-request';
/** primary → worker: the rendered text. */
const METRICS_RESPONSE = 'recsys:cluster-metrics-response';
/** primary → worker: send me your registry as JSON; worker → primary: here it is. */
const COLLECT_REQUEST = 'recsys:cluster-collect-request';
const COLLECT_RESPONSE = 'recsys:cluster-collect-response';
/** A worker that has not answered a collection by then is left out of that scrape. */
const COLLECT_TIMEOUT_MS = 2_000;
/** A worker that exits within this long after its start counts as a crash loop, and is restarted more slowly. */
const QUICK_EXIT_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/** `auto` (one per available core) or a positive integer. */
export function resolveWorkers(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, availableParallelism()) : Math.max(1, Math.floor(setting));
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/**
 * In a cluster worker, Ctrl-C's SIGINT (sent to the whole process group) is left to the primary, which stops
 * every worker with SIGTERM; a worker reacting to both would take the second as "exit now".
 */
export function leaveInterruptToPrimary(): void {
  if (cluster.isWorker) process.on('SIGINT', () => undefined);
}

export interface PrimaryOptions {
  workers: number;
  /** Environment variable that tells each worker its slot, 1..workers (stable across restarts). */
  slotEnv: string;
  logger: Logger;
  /** Graceful stop budget per worker before it is killed. */
  shutdownTimeoutMs: number;
}

/**
 * Runs the primary until every worker has exited after a shutdown signal. Workers are forked with
 * `<slotEnv>=1..n` in their environment; their own entry point is the same file (process.argv[1]).
 */
export function runPrimary(options: PrimaryOptions): Promise<void> {
  const { logger } = options;
  const slots = new Map<number, { worker: Worker; startedAt: number; restartDelayMs: number }>();
  const listening = new Set<Worker>();
  const collections = new Map<
    number,
    {
      pending: Set<Worker>;
      parts: client.MetricObjectWithValues<client.MetricValue<string>>[][];
      done: () => void;
    }
  >();
  let nextCollection = 0;
  let stopping = false;

  /** Every listening worker's registry, aggregated (workers still starting or not answering are left out). */
  const clusterMetrics = (): Promise<string> =>
    new Promise((resolve) => {
      const id = nextCollection++;
      const pending = new Set([...listening].filter((w) => !w.isDead()));
      const parts: client.MetricObjectWithValues<client.MetricValue<string>>[][] = [];
      const done = () => {
        if (!collections.delete(id)) return;
        clearTimeout(timer);
        resolve(client.AggregatorRegistry.aggregate(parts).metrics());
      };
      const timer = setTimeout(done, COLLECT_TIMEOUT_MS);
      collections.set(id, { pending, parts, done });
      for (const w of pending) w.send({ type: COLLECT_REQUEST, id });
      if (pending.size === 0) done();
    });

  const fork = (slot: number, restartDelayMs = 0): void => {
    const worker = cluster.fork({ [options.slotEnv]: String(slot) });
    slots.set(slot, { worker, startedAt: Date.now(), restartDelayMs });
    worker.on('listening', () => listening.add(worker));
    worker.on('message', (message: { type?: string; id?: number; metrics?: unknown }) => {
      if (message?.type === METRICS_REQUEST) {
        void clusterMetrics().then(
          (text) => worker.send({ type: METRICS_RESPONSE, id: message.id, text }),
          (error: Error) => worker.send({ type: METRICS_RESPONSE, id: message.id, error: error.message }),
        );
      } else if (message?.type === COLLECT_RESPONSE && message.id !== undefined) {
        const collection = collections.get(message.id);
        if (!collection || !collection.pending.delete(worker)) return;
        collection.parts.push(message.metrics as client.MetricObjectWithValues<client.MetricValue<string>>[]);
        if (collection.pending.size === 0) collection.done();
      }
    });
    worker.on('exit', (code, signal) => {
      listening.delete(worker);
      for (const collection of collections.values()) {
        if (collection.pending.delete(worker) && collection.pending.size === 0) collection.done();
      }
      const entry = slots.get(slot);
      if (entry?.worker !== worker) return;
      if (stopping) {
        slots.delete(slot);
        return;
      }
      const quick = Date.now() - entry.startedAt < QUICK_EXIT_MS;
      const delay = quick ? Math.min(MAX_RESTART_DELAY_MS, Math.max(500, entry.restartDelayMs * 2)) : 0;
      logger.error(
        { worker: slot, code, signal, restart_in_ms: delay },
        'worker exited unexpectedly; restarting',
      );
      const timer = setTimeout(() => {
        if (!stopping) fork(slot, delay);
        else slots.delete(slot);
      }, delay);
      timer.unref();
    });
  };

  for (let slot = 1; slot <= options.workers; slot++) fork(slot);
  logger.info({ workers: options.workers }, 'cluster primary started');

  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: killing workers');
        for (const { worker } of slots.values()) worker.process.kill('SIGKILL');
        return;
      }
      stopping = true;
      logger.info({ signal, workers: slots.size }, 'stopping workers');
      const exits = [...slots.values()].map(
        ({ worker }) =>
          new Promise<void>((done) => {
            if (worker.isDead()) return done();
            worker.once('exit', () => done());
            worker.process.kill('SIGTERM');
            // Workers drain within shutdownTimeoutMs; past a margin on top of it they are killed.
            setTimeout(() => worker.process.kill('SIGKILL'), options.shutdownTimeoutMs + 5_000).unref();
          }),
      );
      void Promise.all(exits).then(() => {
        logger.info('all workers stopped');
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * In a cluster worker: answers the primary's collection requests from `registry`, and returns a function that
 * renders the metrics of every worker (by asking the primary). In a single process: the registry's own text.
 */
export function clusterMetricsText(registry: client.Registry, timeoutMs = 5_000): () => Promise<string> {
  if (!cluster.isWorker) return () => registry.metrics();
  let next = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  process.on('message', (message: { type?: string; id?: number; text?: string; error?: string }) => {
    if (message?.type === COLLECT_REQUEST) {
      void registry
        .getMetricsAsJSON()
        .then((metrics) => process.send!({ type: COLLECT_RESPONSE, id: message.id, metrics }));
      return;
    }
    if (message?.type !== METRICS_RESPONSE || message.id === undefined) return;
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error !== undefined) pending.reject(new Error(message.error));
    else pending.resolve(message.text ?? '');
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('cluster metrics: the primary did not answer'));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send!({ type: METRICS_REQUEST, id });
    });
}

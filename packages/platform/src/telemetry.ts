import { register } from 'node:module';
import { context, propagation, type TextMapGetter } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';

/**
 * OpenTelemetry bootstrap, imported first by each service's instrumentation.ts (`node --import`).
 * With OTEL_TRACES_EXPORTER=none (the default, and what tests use) the SDK is not started at all, so
 * shutdown never waits on an unreachable collector. Exporter endpoints use the standard OTEL_* variables.
 */
let sdk: NodeSDK | undefined;

export function startTelemetry(
  serviceName: string,
  env: Record<string, string | undefined> = process.env,
): void {
  const exporter = env.OTEL_TRACES_EXPORTER ?? 'none';
  if (exporter === 'none' || sdk) return;
  // ESM needs the loader hook so pg, ioredis and express are patched when they are imported.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
      }),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (!running) return;
  // Never let an unreachable collector hold the process on shutdown.
  await Promise.race([running.shutdown(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
}

/** W3C trace context of the active span as plain fields (`traceparent`, `tracestate`), for headers and stream messages. */
export function currentTraceCarrier(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

const recordGetter: TextMapGetter<Record<string, string | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Runs `fn` inside the trace context carried by a stream message or request. */
export function withTraceCarrier<T>(carrier: Record<string, string | undefined>, fn: () => T): T {
  return context.with(propagation.extract(context.active(), carrier, recordGetter), fn);
}

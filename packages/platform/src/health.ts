/**
 * Readiness checks. Each dependency registers a probe; `required` ones make /readyz 503 when they fail,
 * optional ones only mark the service degraded (it keeps answering from what it has).
 */
export type CheckStatus = 'ok' | 'degraded' | 'unavailable';

export interface CheckResult {
  status: CheckStatus;
  detail?: string;
  latency_ms?: number;
}

export interface HealthCheck {
  name: string;
  required: boolean;
  /** Resolve with a detail string (or a full result) when healthy; throw when not. */
  probe: () => Promise<string | CheckResult | void>;
}

export interface HealthReport {
  status: CheckStatus;
  service: string;
  version: string;
  checks: Record<string, CheckResult>;
}

const PROBE_TIMEOUT_MS = 2000;

export class HealthRegistry {
  private readonly checks: HealthCheck[] = [];

  constructor(
    private readonly service: string,
    private readonly version: string,
  ) {}

  register(check: HealthCheck): void {
    this.checks.push(check);
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      this.checks.map(async (check): Promise<[string, CheckResult, boolean]> => {
        const started = performance.now();
        try {
          const outcome = await withTimeout(check.probe(), PROBE_TIMEOUT_MS);
          const latency_ms = Math.round((performance.now() - started) * 100) / 100;
          const result: CheckResult =
            typeof outcome === 'object' && outcome !== null
              ? { ...outcome, latency_ms }
              : { status: 'ok', ...(outcome ? { detail: outcome } : {}), latency_ms };
          return [check.name, result, check.required];
        } catch (error) {
          const latency_ms = Math.round((performance.now() - started) * 100) / 100;
          const detail = error instanceof Error ? error.message : String(error);
          return [
            check.name,
            { status: check.required ? 'unavailable' : 'degraded', detail, latency_ms },
            check.required,
          ];
        }
      }),
    );
    let status: CheckStatus = 'ok';
    for (const [, result, required] of entries) {
      if (result.status === 'unavailable' && required) status = 'unavailable';
      else if (result.status !== 'ok' && status === 'ok') status = 'degraded';
    }
    return {
      status,
      service: this.service,
      version: this.version,
      checks: Object.fromEntries(entries.map(([name, result]) => [name, result])),
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * @recsys/sdk: typed clients for the RecSys services. Paths, bodies and responses are generated from the
 * services' OpenAPI documents (src/generated); this entry adds base URLs, credentials, the tenant header,
 * retries with backoff on 429/503 honouring Retry-After, and typed problem errors.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths as AdminPaths } from './generated/admin.js';
import type { paths as IngestPaths } from './generated/ingest.js';
import type { paths as ServingPaths } from './generated/serving.js';

export type { AdminPaths, IngestPaths, ServingPaths };

export interface RecsysClientOptions {
  servingUrl?: string;
  adminUrl?: string;
  ingestUrl?: string;
  /** Sent as X-API-Key. */
  apiKey?: string;
  /** Sent as `Authorization: Bearer <token>`; a function is called per request (token refresh). */
  token?: string | (() => string | Promise<string>);
  /** Sent as X-Org-Id (must agree with the credential's tenant). */
  tenant?: string;
  /** Retries after a 429 or 503 (default 3). */
  maxRetries?: number;
  /** First backoff when the server sends no Retry-After (default 200 ms; doubles, with jitter). */
  baseDelayMs?: number;
  /** Upper bound for one wait, whatever Retry-After says (default 10 s). */
  maxDelayMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** RFC 9457 problem returned by a RecSys service. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  request_id?: string;
  errors?: { pointer: string; in?: string; message: string }[];
}

export class RecsysProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = 'RecsysProblemError';
    this.status = problem.status;
    this.code = problem.code;
    this.requestId = problem.request_id;
  }
}

export interface RecsysClient {
  serving: Client<ServingPaths>;
  admin: Client<AdminPaths>;
  ingest: Client<IngestPaths>;
}

const RETRYABLE = new Set([429, 503]);

export function createRecsysClient(options: RecsysClientOptions = {}): RecsysClient {
  const fetchWithPolicy = retryingFetch(options);
  const make = <P extends object>(baseUrl: string | undefined, fallback: string) =>
    createClient<P>({ baseUrl: (baseUrl ?? fallback).replace(/\/+$/, ''), fetch: fetchWithPolicy });
  return {
    serving: make<ServingPaths>(options.servingUrl, 'http://localhost:8000'),
    admin: make<AdminPaths>(options.adminUrl, 'http://localhost:8001'),
    ingest: make<IngestPaths>(options.ingestUrl, 'http://localhost:8002'),
  };
}

/** Returns `data` of an openapi-fetch result, or throws RecsysProblemError for a problem response. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const body = result.error as Partial<Problem> | undefined;
    throw new RecsysProblemError({
      type: body?.type ?? 'about:blank',
      title: body?.title ?? result.response.statusText,
      status: body?.status ?? result.response.status,
      detail: body?.detail ?? result.response.statusText,
      instance: body?.instance ?? new URL(result.response.url || 'http://x/').pathname,
      code: body?.code ?? 'RECSYS_ERROR',
      request_id: body?.request_id ?? result.response.headers.get('x-request-id') ?? undefined,
      errors: body?.errors,
    });
  }
  return result.data as T;
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function retryingFetch(options: RecsysClientOptions): typeof fetch {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const maxRetries = options.maxRetries ?? 3;
  const baseDelay = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 10_000;
  return async (input, init) => {
    // openapi-fetch passes a Request; clone it per attempt so the body can be re-sent.
    const original = input instanceof Request ? input : new Request(input, init);
    const headers = new Headers(original.headers);
    if (options.apiKey) headers.set('X-API-Key', options.apiKey);
    if (options.token) {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      headers.set('Authorization', `Bearer ${token}`);
    }
    if (options.tenant) headers.set('X-Org-Id', options.tenant);
    const template = new Request(original, { headers });
    for (let attempt = 0; ; attempt++) {
      const response = await baseFetch(template.clone(), {
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!RETRYABLE.has(response.status) || attempt >= maxRetries) return response;
      const hinted = retryAfterMs(response.headers.get('retry-after'));
      const backoff = baseDelay * 2 ** attempt * (0.5 + Math.random() / 2);
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, Math.min(maxDelay, hinted ?? backoff)));
    }
  };
}

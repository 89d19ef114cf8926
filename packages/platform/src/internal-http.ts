import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { currentTraceCarrier } from './telemetry.js';
import { problems } from './problem.js';

/**
 * Service-to-service HTTP on /internal/v1: a shared service token, the caller's request id and the W3C
 * trace context travel with every call.
 */
export const SERVICE_TOKEN_HEADER = 'X-Service-Token';

export interface InternalResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface InternalClient {
  request<T = unknown>(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      rawBody?: string;
      contentType?: string;
      requestId?: string;
      headers?: Record<string, string>;
      timeoutMs?: number;
    },
  ): Promise<InternalResponse<T>>;
}

export function createInternalClient(
  baseUrl: string,
  serviceToken: string,
  defaultTimeoutMs = 5000,
): InternalClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async request(method, path, options = {}) {
      const headers: Record<string, string> = {
        [SERVICE_TOKEN_HEADER]: serviceToken,
        accept: 'application/json',
        ...currentTraceCarrier(),
        ...(options.requestId ? { 'X-Request-Id': options.requestId } : {}),
        ...options.headers,
      };
      let body: string | undefined;
      if (options.rawBody !== undefined) {
        body = options.rawBody;
        headers['content-type'] = options.contentType ?? 'application/json';
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      const response = await fetch(base + path, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs),
      });
      const text = await response.text();
      let parsed: unknown = text;
      if (text && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
      return { status: response.status, headers: response.headers, body: parsed as never };
    },
  };
}

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function requireServiceToken(expected: string): RequestHandler {
  return (req, _res, next) => {
    const presented = req.get(SERVICE_TOKEN_HEADER);
    if (!presented) return next(problems.authRequired());
    if (!secretsEqual(presented, expected)) return next(problems.authInvalid('invalid service token'));
    next();
  };
}

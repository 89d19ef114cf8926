import { STATUS_CODES } from 'node:http';

/**
 * RFC 9457 problem details. Every error a service returns is an AppError rendered by the error middleware
 * in http.ts; `code` is the stable, machine-readable part clients switch on (catalogue: docs/api/errors.md).
 */
export const PROBLEM_TYPE_BASE = 'https://errors.recsys.example/problem/';

export interface FieldError {
  /** JSON pointer into the request part named by `in` (e.g. `/k`, `/user/user_id`). */
  pointer: string;
  in?: 'body' | 'query' | 'path' | 'header';
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  request_id?: string;
  errors?: FieldError[];
}

export interface AppErrorOptions {
  code: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** Safe to retry later (429/503). Drives the `Retry-After` header together with retryAfterSeconds. */
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(options: AppErrorOptions) {
    super(options.detail, { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.status = options.status;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers;
  }
}

export function problemType(code: string): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replaceAll('_', '-');
}

export function toProblemBody(error: AppError, instance: string, requestId?: string): ProblemBody {
  return {
    type: problemType(error.code),
    title: STATUS_CODES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    instance,
    code: error.code,
    ...(requestId ? { request_id: requestId } : {}),
    ...(error.errors?.length ? { errors: error.errors } : {}),
  };
}

/** Codes shared by every service. Service-specific codes live beside the service's domain. */
export const CommonCodes = {
  /** Malformed JSON, unknown fields, wrong types or out-of-range values. */
  INVALID_REQUEST: 'RECSYS_INVALID_REQUEST',
  /** Well-formed but semantically invalid input. */
  UNPROCESSABLE: 'RECSYS_UNPROCESSABLE_ENTITY',
  /** Body larger than the endpoint accepts. */
  PAYLOAD_TOO_LARGE: 'RECSYS_PAYLOAD_TOO_LARGE',
  /** Body is not JSON (or NDJSON where that is expected). */
  UNSUPPORTED_MEDIA_TYPE: 'RECSYS_UNSUPPORTED_MEDIA_TYPE',
  /** No route matches the path and method. */
  ROUTE_NOT_FOUND: 'RECSYS_ROUTE_NOT_FOUND',
  /** No credentials were presented. */
  AUTH_REQUIRED: 'RECSYS_AUTH_REQUIRED',
  /** Credentials were presented but are unknown, revoked, expired or malformed. */
  AUTH_INVALID: 'RECSYS_AUTH_INVALID',
  /** The caller lacks the role the operation needs. */
  FORBIDDEN: 'RECSYS_FORBIDDEN',
  /** Per-tenant or per-client rate limit exceeded. */
  RATE_LIMITED: 'RECSYS_RATE_LIMITED',
  /** Backpressure: too many requests in flight. */
  OVERLOADED: 'RECSYS_OVERLOADED',
  /** A dependency the operation needs is unavailable. */
  UNAVAILABLE: 'RECSYS_UNAVAILABLE',
  /** Anything unexpected. Details are logged, never returned. */
  INTERNAL: 'RECSYS_INTERNAL',
} as const;

export const problems = {
  invalidRequest: (detail: string, errors?: FieldError[]) =>
    new AppError({ code: CommonCodes.INVALID_REQUEST, status: 400, detail, errors }),
  unprocessable: (detail: string, errors?: FieldError[]) =>
    new AppError({ code: CommonCodes.UNPROCESSABLE, status: 422, detail, errors }),
  payloadTooLarge: (limitBytes: number) =>
    new AppError({
      code: CommonCodes.PAYLOAD_TOO_LARGE,
      status: 413,
      detail: `request body exceeds ${limitBytes} bytes`,
    }),
  unsupportedMediaType: (expected: string) =>
    new AppError({
      code: CommonCodes.UNSUPPORTED_MEDIA_TYPE,
      status: 415,
      detail: `content-type must be ${expected}`,
    }),
  routeNotFound: (method: string, path: string) =>
    new AppError({
      code: CommonCodes.ROUTE_NOT_FOUND,
      status: 404,
      detail: `no route for ${method} ${path}`,
    }),
  authRequired: () =>
    new AppError({ code: CommonCodes.AUTH_REQUIRED, status: 401, detail: 'authentication required' }),
  authInvalid: (detail = 'invalid credentials') =>
    new AppError({ code: CommonCodes.AUTH_INVALID, status: 401, detail }),
  forbidden: (detail = 'insufficient scope') =>
    new AppError({ code: CommonCodes.FORBIDDEN, status: 403, detail }),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError({
      code: CommonCodes.RATE_LIMITED,
      status: 429,
      detail: 'rate limit exceeded',
      retryAfterSeconds,
    }),
  overloaded: (retryAfterSeconds: number) =>
    new AppError({
      code: CommonCodes.OVERLOADED,
      status: 503,
      detail: 'service overloaded, retry later',
      retryAfterSeconds,
    }),
  unavailable: (detail: string, retryAfterSeconds = 1) =>
    new AppError({ code: CommonCodes.UNAVAILABLE, status: 503, detail, retryAfterSeconds }),
  internal: (cause?: unknown) =>
    new AppError({ code: CommonCodes.INTERNAL, status: 500, detail: 'internal error', cause }),
};

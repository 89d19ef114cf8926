/**
 * The shape every contracts package uses to describe an HTTP operation once. From one RouteContract come:
 * request validation (platform/http bindRoute), inferred TypeScript types, the OpenAPI 3.1 document
 * (buildOpenApiDocument) and, through that document, the generated SDK.
 */
import { z } from 'zod';
import { createDocument, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';

export { z };

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type SecurityScheme = 'apiKey' | 'bearer' | 'serviceToken';

export interface ResponseContract {
  description: string;
  /** JSON body schema; omit for bodies that are not JSON (use contentType) or empty responses. */
  body?: z.ZodType;
  /** Defaults to application/json when body is set. */
  contentType?: string;
  headers?: z.ZodObject;
}

export interface RouteContract {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/v1/admin/tenants/{tenant_id}/config`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Accepted credentials; empty = public. */
  security: SecurityScheme[];
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    headers?: z.ZodObject;
    body?: z.ZodType;
    /** Defaults to application/json. `application/x-ndjson` bodies are streamed by the handler, not parsed. */
    bodyContentType?: string;
    /** Largest accepted body in bytes (default 1 MiB). */
    bodyLimitBytes?: number;
  };
  responses: Record<number, ResponseContract>;
}

/** Identity helper that keeps literal types of a route for inference. */
export function defineRoute<const R extends RouteContract>(route: R): R {
  return route;
}

type BodyOf<R extends RouteContract> = R['request'] extends { body: infer B extends z.ZodType } ? B : never;
export type RequestBody<R extends RouteContract> = z.output<BodyOf<R>>;
export type RequestBodyInput<R extends RouteContract> = z.input<BodyOf<R>>;
export type ResponseBody<
  R extends RouteContract,
  S extends keyof R['responses'],
> = R['responses'][S] extends {
  body: infer B extends z.ZodType;
}
  ? z.output<B>
  : never;

// ---- problem+json ----------------------------------------------------------------------------------------

export const FieldErrorSchema = z
  .object({
    pointer: z.string().meta({ description: 'JSON pointer to the offending value, e.g. `/k`.' }),
    in: z.enum(['body', 'query', 'path', 'header']).optional(),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

export const ProblemSchema = z
  .object({
    type: z.string().meta({ description: 'URI identifying the problem type (derived from `code`).' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().meta({ description: 'Request path.' }),
    code: z.string().meta({ description: 'Stable machine-readable code, e.g. `RECSYS_INVALID_REQUEST`.' }),
    request_id: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (`application/problem+json`).' });

export type Problem = z.output<typeof ProblemSchema>;

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (bad JSON, unknown field, wrong type or range).',
  401: 'Missing or invalid credentials.',
  403: 'Authenticated but not allowed (role or tenant scope).',
  404: 'Not found.',
  409: 'Conflict (stale If-Match, duplicate).',
  413: 'Request body too large.',
  415: 'Unsupported content type.',
  422: 'Well-formed but semantically invalid.',
  429: 'Rate limited; see Retry-After.',
  500: 'Internal error.',
  503: 'Overloaded or a dependency is unavailable; see Retry-After.',
};

/** Problem responses to spread into a route's `responses`. */
export function problemResponses(...statuses: number[]): Record<number, ResponseContract> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Error.',
        body: ProblemSchema,
        contentType: 'application/problem+json',
      },
    ]),
  );
}

// ---- shared primitives -----------------------------------------------------------------------------------

/**
 * A value that becomes part of a storage key or URI (surface, segment, tenant): non-empty, not `.`/`..`,
 * no slash, backslash, control characters or unpaired surrogates.
 */
export const PathSegment = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  // No traversal, separators, control characters (NUL included) or unpaired surrogates (\p{Cs} with the u
  // flag matches only lone halves): segments name keys, paths and Postgres rows, which cannot hold those.
  .refine((v) => v !== '.' && v !== '..' && !/[/\\]/.test(v) && !/[\p{Cc}\p{Cs}]/u.test(v), {
    message: 'contains invalid path segment',
  });

export const TenantId = PathSegment.meta({
  description: 'Tenant external id (or its UUID where noted).',
  example: 'demo',
});

export const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'RFC 3339 timestamp.' });

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'unavailable']),
    service: z.string(),
    version: z.string(),
    checks: z.record(
      z.string(),
      z.object({
        status: z.enum(['ok', 'degraded', 'unavailable']),
        detail: z.string().optional(),
        latency_ms: z.number().optional(),
      }),
    ),
  })
  .meta({ id: 'Health' });

/** Routes every service exposes; spread into its route list so they appear in its OpenAPI document. */
export const opsRoutes = [
  defineRoute({
    operationId: 'healthz',
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process is up.',
    tags: ['ops'],
    security: [],
    responses: { 200: { description: 'Alive.', body: z.object({ status: z.literal('ok') }) } },
  }),
  defineRoute({
    operationId: 'readyz',
    method: 'get',
    path: '/readyz',
    summary: 'Readiness with per-dependency detail; 503 when a required dependency is down.',
    tags: ['ops'],
    security: [],
    responses: {
      200: { description: 'Ready (possibly degraded).', body: HealthSchema },
      503: { description: 'Not ready.', body: HealthSchema },
    },
  }),
  defineRoute({
    operationId: 'healthDetailed',
    method: 'get',
    path: '/health/detailed',
    summary: 'Every check with latency, always 200.',
    tags: ['ops'],
    security: [],
    responses: { 200: { description: 'Detail.', body: HealthSchema } },
  }),
  defineRoute({
    operationId: 'metrics',
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics in text exposition format.',
    tags: ['ops'],
    security: [],
    responses: { 200: { description: 'Metrics.', contentType: 'text/plain' } },
  }),
] as const;

// ---- OpenAPI ---------------------------------------------------------------------------------------------

export interface DocumentInput {
  title: string;
  version: string;
  description: string;
  serverUrl: string;
  routes: readonly RouteContract[];
  /** Schemas that are not HTTP bodies (stream payloads, manifests) but belong to this service's contract. */
  extraSchemas?: Record<string, z.ZodType>;
}

const SECURITY_SCHEMES = {
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  serviceToken: { type: 'apiKey', in: 'header', name: 'X-Service-Token' },
} as const;

export function buildOpenApiDocument(input: DocumentInput): Record<string, unknown> {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of input.routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const contentType = response.contentType ?? 'application/json';
      responses[status] = {
        description: response.description,
        ...(response.headers ? { headers: response.headers } : {}),
        ...(response.body
          ? { content: { [contentType]: { schema: response.body } } }
          : response.contentType
            ? { content: { [contentType]: { schema: z.string() } } }
            : {}),
      };
    }
    const request = route.request;
    const bodyType = request?.bodyContentType ?? 'application/json';
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        operationId: route.operationId,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        tags: route.tags,
        security: route.security.map((scheme) => ({ [scheme]: [] })),
        ...(request?.params || request?.query || request?.headers
          ? {
              requestParams: {
                ...(request.params ? { path: request.params } : {}),
                ...(request.query ? { query: request.query } : {}),
                ...(request.headers ? { header: request.headers } : {}),
              },
            }
          : {}),
        ...(request?.body
          ? { requestBody: { required: true, content: { [bodyType]: { schema: request.body } } } }
          : bodyType !== 'application/json'
            ? { requestBody: { required: true, content: { [bodyType]: { schema: z.string() } } } }
            : {}),
        responses: responses as ZodOpenApiResponsesObject,
      },
    };
  }
  const document = createDocument({
    openapi: '3.1.0',
    info: { title: input.title, version: input.version, description: input.description },
    servers: [{ url: input.serverUrl }],
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      ...(input.extraSchemas ? { schemas: input.extraSchemas } : {}),
    },
  });
  return document as unknown as Record<string, unknown>;
}

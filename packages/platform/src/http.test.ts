import { defineRoute, problemResponses, z } from '@recsys/contract-kit';
import { serve } from '@recsys/testing';
import { HealthRegistry } from './health.js';
import { bindRoute, createBaseApp, finalizeApp } from './http.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';

const route = defineRoute({
  operationId: 'echo',
  method: 'post',
  path: '/v1/things/{thing_id}',
  summary: 'echo',
  tags: [],
  security: [],
  request: {
    params: z.object({ thing_id: z.string().min(2) }),
    body: z
      .strictObject({
        k: z.number().int().min(1, 'must be between 1 and 200').max(200, 'must be between 1 and 200'),
        name: z.string().optional(),
      })
      .refine((b) => b.name !== 'forbidden', {
        message: 'name is not allowed',
        path: ['name'],
        params: { status: 422 },
      }),
    bodyLimitBytes: 1024,
  },
  responses: {
    200: { description: 'ok', body: z.object({ k: z.number() }) },
    ...problemResponses(400, 413, 415, 422),
  },
});

/** What drivers throw when a dependency goes away, and one genuine bug. */
const failures = {
  refused: () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  pgEnded: () => new Error('Connection terminated unexpectedly'),
  pgShutdown: () =>
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
  pgStarting: () => Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
  poolTimeout: () => new Error('timeout exceeded when trying to connect'),
  redisClosed: () => new Error('Connection is closed.'),
  redisOffline: () => new Error("Stream isn't writeable and enableOfflineQueue options is false"),
  bug: () => new TypeError("Cannot read properties of undefined (reading 'x')"),
  missingTable: () => Object.assign(new Error('relation "outcomes" does not exist'), { code: '42P01' }),
};

describe('http kit', () => {
  let http: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    const metrics = createMetrics('t', { collectDefaults: false });
    const app = createBaseApp({
      service: 't',
      version: '0',
      logger: createLogger('t', 'silent'),
      metrics,
      health: new HealthRegistry('t', '0'),
    });
    bindRoute(app, route, ({ body, params }, _req, res) => {
      res.json({ k: body.k, id: params.thing_id });
    });
    app.get('/boom/:kind', (req) => {
      throw failures[req.params.kind as keyof typeof failures]!();
    });
    finalizeApp(app, metrics);
    http = await serve(app);
  });
  afterAll(() => http.close());

  const post = (
    body: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    path = '/v1/things/ab',
  ) => fetch(http.url + path, { method: 'POST', headers, body });

  it('when the body is valid, then the handler gets parsed input', async () => {
    const res = await post('{"k": 5}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ k: 5, id: 'ab' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a field is out of range or unknown, then 400 with pointers to each field', async () => {
    const res = await post('{"k": 0, "extra": 1}');
    const problem: any = await res.json();
    expect(res.status).toBe(400);
    expect(problem.code).toBe('RECSYS_INVALID_REQUEST');
    expect(problem.detail).toContain('k must be between 1 and 200');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/k', in: 'body', message: 'must be between 1 and 200' },
        { pointer: '/extra', in: 'body', message: 'unknown field' },
      ]),
    );
  });

  it('when only a 422-marked rule fails, then 422 RECSYS_UNPROCESSABLE_ENTITY', async () => {
    const res = await post('{"k": 1, "name": "forbidden"}');
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).code).toBe('RECSYS_UNPROCESSABLE_ENTITY');
  });

  it('when the body is empty, not JSON typed, too large or trailing data follows, then 400 / 415 / 413 / 400', async () => {
    expect((await post('')).status).toBe(400);
    expect((await post('{"k":1}', { 'content-type': 'text/plain' })).status).toBe(415);
    const big = await post(JSON.stringify({ k: 1, name: 'x'.repeat(2000) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).code).toBe('RECSYS_PAYLOAD_TOO_LARGE');
    expect((await post('{"k":1} {"k":2}')).status).toBe(400);
  });

  it('when a handler fails because a dependency is unreachable, then 503 RECSYS_UNAVAILABLE with Retry-After; other failures stay 500 RECSYS_INTERNAL', async () => {
    for (const kind of Object.keys(failures)) {
      const res = await fetch(`${http.url}/boom/${kind}`);
      const body = (await res.json()) as { code: string; status: number };
      const unavailable = !['bug', 'missingTable'].includes(kind);
      expect({
        kind,
        status: res.status,
        code: body.code,
        retryAfter: res.headers.get('retry-after'),
      }).toEqual({
        kind,
        status: unavailable ? 503 : 500,
        code: unavailable ? 'RECSYS_UNAVAILABLE' : 'RECSYS_INTERNAL',
        retryAfter: unavailable ? '1' : null,
      });
    }
  });

  it('when a path parameter is invalid or no route matches, then 400 / 404 problems', async () => {
    expect((await post('{"k":1}', undefined, '/v1/things/a')).status).toBe(400);
    const missing = await fetch(http.url + '/nope', { headers: { 'x-request-id': 'abc' } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      code: 'RECSYS_ROUTE_NOT_FOUND',
      request_id: 'abc',
      instance: '/nope',
    });
  });
});

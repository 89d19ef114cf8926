import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRecsysClient, retryAfterMs, unwrap, RecsysProblemError } from './index.js';

describe('@recsys/sdk', () => {
  let server: Server;
  let url: string;
  const seen: { headers: Record<string, string | string[] | undefined>; at: number }[] = [];
  let script: { status: number; headers?: Record<string, string>; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ headers: req.headers, at: Date.now() });
      const next = script.shift() ?? { status: 200, body: { status: 'ok' } };
      const isProblem = next.status >= 400;
      res.writeHead(next.status, {
        'content-type': isProblem ? 'application/problem+json' : 'application/json',
        ...next.headers,
      });
      res.end(JSON.stringify(next.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });

  it('when the server answers 503 with Retry-After, then the client waits that long and retries', async () => {
    script = [
      { status: 503, headers: { 'retry-after': '1' }, body: { code: 'RECSYS_OVERLOADED' } },
      { status: 200, body: { status: 'ok' } },
    ];
    const client = createRecsysClient({ servingUrl: url, apiKey: 'k_test', tenant: 'demo' });
    const result = await client.serving.GET('/healthz');
    expect(unwrap(result)).toEqual({ status: 'ok' });
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
    expect(seen[0]!.headers['x-api-key']).toBe('k_test');
    expect(seen[0]!.headers['x-org-id']).toBe('demo');
  });

  it('when retries are exhausted, then the problem surfaces as a typed error', async () => {
    const problem = {
      type: 'https://errors.recsys.example/problem/recsys-rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'rate limit exceeded',
      instance: '/healthz',
      code: 'RECSYS_RATE_LIMITED',
      request_id: 'r-1',
    };
    script = [
      { status: 429, headers: { 'retry-after': '0' }, body: problem },
      { status: 429, headers: { 'retry-after': '0' }, body: problem },
    ];
    const client = createRecsysClient({ servingUrl: url, maxRetries: 1, token: () => 'jwt-1' });
    const result = await client.serving.GET('/healthz');
    expect(() => unwrap(result)).toThrow(RecsysProblemError);
    try {
      unwrap(result);
    } catch (error) {
      expect((error as RecsysProblemError).code).toBe('RECSYS_RATE_LIMITED');
      expect((error as RecsysProblemError).requestId).toBe('r-1');
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]!.headers.authorization).toBe('Bearer jwt-1');
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 7_000)).toBe(3000);
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

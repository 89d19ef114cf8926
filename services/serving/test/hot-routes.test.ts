import { gzipSync } from 'node:zlib';
import { HotRoutes } from '@recsys/platform/hot-routes';
import { startAdminStub, type AdminStub } from './admin-stub.js';
import { devHeaders, publishVersion, SERVICE_TOKEN, startServing, type Serving } from './harness.js';

const T = 'acme';

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | null>;
}

/**
 * The ranking routes answer well-formed requests from node:http (hot path) and everything else from express.
 * The same request sent both ways (a query string sends it to express) must get the same answer.
 */
describe('serving hot routes: /v1/recommend and /v1/similar without express', () => {
  let admin: AdminStub;
  let serving: Serving;
  const hotCalls = jest.spyOn(HotRoutes.prototype as unknown as { serve: () => Promise<void> }, 'serve');

  beforeAll(async () => {
    admin = await startAdminStub(SERVICE_TOKEN);
    admin.tenants.set(T, { status: 'active' });
    serving = await startServing({ ADMIN_URL: admin.url });
    await publishVersion(serving, { tenant: T, surface: 'home' }, 'v1', {
      popularity: { a: 10, b: 5, c: 5, d: 1 },
      cooc: { a: { b: 3, c: 3, d: 1 } },
      catalog: { a: { tags: ['shoes'] }, b: { tags: ['shoes'] }, c: { tags: ['hats'] }, d: {} },
    });
  });

  afterAll(async () => {
    hotCalls.mockRestore();
    await serving.close();
    await admin.close();
  });

  async function send(path: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
    const res = await fetch(`${serving.url}${path}`, { method: 'POST', headers, body });
    const text = await res.text();
    const pick = ['content-type', 'content-length', 'cache-control', 'x-request-id', 'retry-after'];
    return {
      status: res.status,
      body: text ? JSON.parse(text) : undefined,
      headers: Object.fromEntries(pick.map((name) => [name, res.headers.get(name)])),
    };
  }

  /** Sends a request to the hot path and the same one to express; returns both answers. */
  async function bothWays(route: string, body: string, headers: Record<string, string>) {
    const before = hotCalls.mock.calls.length;
    const hot = await send(route, body, { ...headers, 'X-Request-Id': 'same-id' });
    expect(hotCalls.mock.calls.length).toBe(before + 1);
    const viaExpress = await send(`${route}?via=express`, body, { ...headers, 'X-Request-Id': 'same-id' });
    expect(hotCalls.mock.calls.length).toBe(before + 1);
    return { hot, viaExpress };
  }

  const json = (value: unknown) => JSON.stringify(value);
  const cases: [string, string, string, Record<string, string>][] = [
    [
      'a minimal recommend',
      '/v1/recommend',
      json({ surface: 'home', user: { user_id: 'u1' } }),
      devHeaders(T),
    ],
    [
      'a recommend with anchors, constraints and reasons',
      '/v1/recommend',
      json({
        surface: 'home',
        k: 2,
        anchors: ['a'],
        constraints: { forbidden_tags: ['hats'] },
        options: { include_reasons: true },
      }),
      devHeaders(T),
    ],
    ['a similar', '/v1/similar', json({ surface: 'home', item_id: 'a', k: 3 }), devHeaders(T)],
    ['an invalid body (400 with field errors)', '/v1/recommend', json({ surface: 7, k: 'x' }), devHeaders(T)],
    ['malformed JSON', '/v1/recommend', '{"surface": "home",', devHeaders(T)],
    ['an empty object', '/v1/recommend', '{}', devHeaders(T)],
    [
      'k above the limit',
      '/v1/recommend',
      json({ surface: 'home', k: 5000, user: { user_id: 'u1' } }),
      devHeaders(T),
    ],
    [
      'no credentials (401)',
      '/v1/recommend',
      json({ surface: 'home' }),
      { 'content-type': 'application/json' },
    ],
    [
      'a repeated tenant header (403)',
      '/v1/recommend',
      json({ surface: 'home' }),
      devHeaders(T, [], { 'X-Org-Id': 'acme, other' }),
    ],
    [
      'explain=full without the admin role (403)',
      '/v1/recommend',
      json({ surface: 'home', options: { explain: 'full' } }),
      devHeaders(T),
    ],
    [
      'a preview without the operator role (403)',
      '/v1/recommend',
      json({ surface: 'home' }),
      devHeaders(T, [], { 'X-Recsys-Signal-Version': 'v1' }),
    ],
    [
      'a body with a byte-order mark',
      '/v1/recommend',
      '\uFEFF' + json({ surface: 'home', user: { user_id: 'u1' } }),
      devHeaders(T),
    ],
  ];

  it.each(cases)('%s gets the same answer on both paths', async (_name, route, body, headers) => {
    const { hot, viaExpress } = await bothWays(route, body, headers);
    expect(hot).toEqual(viaExpress);
  });

  it('when the body is gzip, chunked, not JSON or not UTF-8, then express answers, as before', async () => {
    const body = json({ surface: 'home', user: { user_id: 'u1' } });
    const before = hotCalls.mock.calls.length;
    const gzip = await send('/v1/recommend', gzipSync(body), {
      ...devHeaders(T),
      'content-encoding': 'gzip',
    });
    expect(gzip.status).toBe(200);
    const text = await send('/v1/recommend', body, { ...devHeaders(T), 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const latin1 = await send('/v1/recommend', body, {
      ...devHeaders(T),
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expect(latin1.status).toBe(415);
    const chunked = await fetch(`${serving.url}/v1/recommend`, {
      method: 'POST',
      headers: devHeaders(T),
      body: new Blob([body]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(200);
    expect(hotCalls.mock.calls.length).toBe(before);
  });

  it('when a hot request is answered, then the HTTP and recommendation metrics count it under its route', async () => {
    const body = json({ surface: 'home', user: { user_id: 'u1' } });
    await send('/v1/recommend', body, devHeaders(T));
    const text = await serving.deps.metrics.registry.metrics();
    expect(text).toMatch(
      /http_requests_total\{method="POST",route="\/v1\/recommend",status="200"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(
      /recsys_recommendation_requests_total\{endpoint="recommend",tenant="acme",outcome="success",empty="false"[^}]*\} [1-9]/,
    );
  });
});

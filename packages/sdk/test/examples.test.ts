/**
 * Runs examples/node-backend.mjs (the SDK guide's Node backend, which also serves browser.html) against a stub
 * of serving and ingest, and checks what the example sends and answers. The SDK is loaded from its sources
 * (tsx, `source` condition), so no build is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

const examples = join(__dirname, '..', 'examples');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
  });
}

describe('SDK examples: node-backend.mjs and browser.html', () => {
  let stub: Server;
  let example: ChildProcess;
  let backend: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    // One stub for both services: recommend answers a fixed list (a problem for user "bad"), outcomes accepts
    // events with an item and refuses the others as ingest does (400 problem).
    stub = createServer(async (req, res) => {
      const raw = await readBody(req);
      const body = raw ? JSON.parse(raw) : undefined;
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, {
          'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
        });
        res.end(JSON.stringify(payload));
      };
      const problem = (status: number, code: string) =>
        send(status, { type: 'about:blank', title: code, status, detail: code, instance: req.url, code });
      if (req.url === '/v1/recommend') {
        if (body.user?.user_id === 'bad') return problem(422, 'RECSYS_VALIDATION_FAILED');
        return send(200, {
          items: [
            { item_id: 'i1', rank: 1, score: 2, reasons: ['recent_popularity'] },
            { item_id: 'i2', rank: 2, score: 1, reasons: ['co_visitation'] },
          ],
          meta: { tenant_id: 'demo', surface: 'home', request_id: 'req-1' },
          warnings: [],
        });
      }
      if (req.url === '/v1/events/outcomes') {
        if (!body.events?.[0]?.item_id) return problem(400, 'RECSYS_EVENT_INVALID');
        return send(200, { accepted: 1, duplicates: 0, rejected: 0, results: [] });
      }
      problem(404, 'RECSYS_NOT_FOUND');
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

    example = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', join(examples, 'node-backend.mjs')],
      {
        cwd: join(__dirname, '..'),
        env: {
          ...process.env,
          RECSYS_API_KEY: 'rk_test_key',
          RECSYS_SERVING_URL: stubUrl,
          RECSYS_INGEST_URL: stubUrl,
          PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    example.stderr!.on('data', (d) => (stderr += d));
    backend = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`example did not start:\n${stdout}${stderr}`)), 20_000);
      example.stdout!.on('data', (d) => {
        stdout += d;
        const match = /open (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      example.once('exit', (code) => reject(new Error(`example exited ${code}:\n${stdout}${stderr}`)));
    });
  });

  afterAll(async () => {
    if (example && example.exitCode === null) {
      const exited = new Promise((resolve) => example.once('exit', resolve));
      example.kill('SIGTERM');
      await exited;
    }
    await new Promise<void>((resolve) => stub?.close(() => resolve()));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('when the page asks for recommendations, then the backend calls /v1/recommend with its key and relays items and request id', async () => {
    const res = await fetch(`${backend}/api/recommendations?user=u7`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      requestId: 'req-1',
      items: [
        { item_id: 'i1', rank: 1, score: 2, reasons: ['recent_popularity'] },
        { item_id: 'i2', rank: 2, score: 1, reasons: ['co_visitation'] },
      ],
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/v1/recommend',
      body: { surface: 'home', k: 8, user: { user_id: 'u7' }, options: { include_reasons: true } },
    });
    expect(seen[0]!.headers['x-api-key']).toBe('rk_test_key');
  });

  it('when RecSys answers a problem, then the page still gets an empty list', async () => {
    const res = await fetch(`${backend}/api/recommendations?user=bad`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ requestId: null, items: [] });
  });

  it('when the page reports a purchase, then the backend posts an outcome attributed to the request id', async () => {
    const res = await fetch(`${backend}/api/purchase?user=u7&item=i2&request_id=req-1`, { method: 'POST' });
    expect(res.status).toBe(204);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/v1/events/outcomes' });
    expect(seen[0]!.headers['x-api-key']).toBe('rk_test_key');
    const [event] = seen[0]!.body.events;
    expect(event).toMatchObject({ type: 'purchase', item_id: 'i2', user_id: 'u7', request_id: 'req-1' });
    expect(Number.isNaN(Date.parse(event.occurred_at))).toBe(false);
  });

  it('when ingest refuses the purchase, then the backend answers 502 with the problem code and keeps running', async () => {
    const res = await fetch(`${backend}/api/purchase?user=u7`, { method: 'POST' });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'RECSYS_EVENT_INVALID' });
    expect((await fetch(`${backend}/api/recommendations?user=u7`)).status).toBe(200);
  });

  it('when the browser opens /, then it gets the page that talks only to the backend', async () => {
    const res = await fetch(`${backend}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html');
    const html = await res.text();
    expect(html).toContain('/api/recommendations?user=');
    expect(html).not.toMatch(/x-api-key|:800[0-3]/i);
  });

  it("when the page's script runs, then it lists the items and its buy button reports the purchase with the request id", async () => {
    const html = await (await fetch(`${backend}/`)).text();
    const script = /<script type="module">([\s\S]*?)<\/script>/.exec(html)![1]!;
    // A minimal DOM: the list, list items and buttons the script creates; relative fetches go to the backend.
    interface FakeElement {
      tag: string;
      textContent: string;
      children: unknown[];
      onclick?: () => Promise<unknown>;
      append: (...nodes: unknown[]) => void;
    }
    const element = (tag: string): FakeElement => ({
      tag,
      textContent: '',
      children: [],
      append(...nodes) {
        this.children.push(...nodes);
      },
    });
    const list = element('ul');
    let reloads = 0;
    const page = {
      location: { search: '?user=u7', reload: () => reloads++ },
      document: { getElementById: () => list, createElement: element },
      fetch: (path: string, init?: RequestInit) => fetch(`${backend}${path}`, init),
    };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<void>;
    await new AsyncFunction('location', 'document', 'fetch', script)(
      page.location,
      page.document,
      page.fetch,
    );

    expect(list.children).toHaveLength(2);
    const [first] = list.children as FakeElement[];
    expect(first!.children[0]).toBe('1. i1 (recent_popularity) ');
    const button = first!.children[1] as FakeElement;
    expect(button.textContent).toBe('buy');
    seen.length = 0;
    await button.onclick!();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body.events[0]).toMatchObject({ item_id: 'i1', user_id: 'u7', request_id: 'req-1' });
    expect(reloads).toBe(1);
  });
});

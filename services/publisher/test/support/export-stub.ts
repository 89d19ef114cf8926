import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Ingest's export as documented (helper brief §4): NDJSON ordered lines, each with a cursor; `cursor`
 * resumes strictly after that line; `limit` caps a page. `failAfter` cuts the first response after that
 * many lines and half a line (a cut stream) to exercise resumption.
 */
export async function startExportStub(options: {
  serviceToken: string;
  lines: Record<string, unknown>[];
  failAfter?: number;
}): Promise<{ url: string; requests: URLSearchParams[]; close: () => Promise<void> }> {
  const requests: URLSearchParams[] = [];
  let failed = false;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (url.pathname !== '/v1/exports/events') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['x-service-token'] !== options.serviceToken || !req.headers['x-org-id']) {
      res
        .writeHead(401, { 'content-type': 'application/problem+json' })
        .end('{"code":"RECSYS_AUTH_REQUIRED"}');
      return;
    }
    requests.push(url.searchParams);
    const cursor = url.searchParams.get('cursor');
    const limit = Number(url.searchParams.get('limit') ?? 1000);
    const from = Date.parse(url.searchParams.get('from') ?? '1970-01-01T00:00:00Z');
    const to = Date.parse(url.searchParams.get('to') ?? '2999-01-01T00:00:00Z');
    let lines = options.lines.filter((l) => {
      const at = Date.parse(String(l.occurred_at));
      return at >= from && at < to;
    });
    if (cursor) lines = lines.slice(lines.findIndex((l) => l.cursor === cursor) + 1);
    const page = lines.slice(0, limit);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    if (options.failAfter !== undefined && !failed) {
      failed = true;
      res.write(
        page
          .slice(0, options.failAfter)
          .map((l) => JSON.stringify(l) + '\n')
          .join(''),
      );
      res.end('{"kind":"outc'); // the body is cut in the middle of a line (as when a proxy drops the stream)
      return;
    }
    res.end(page.map((l) => JSON.stringify(l) + '\n').join(''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

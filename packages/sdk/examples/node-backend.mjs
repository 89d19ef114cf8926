// A product backend that asks RecSys for recommendations and reports purchases.
// Run against the quickstart:  RECSYS_API_KEY=$(node -p "require('../../../.quickstart/demo.json').apiKey") node node-backend.mjs
// Env: RECSYS_API_KEY, RECSYS_SERVING_URL, RECSYS_INGEST_URL, PORT (default 3000). Tested by test/examples.test.ts.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRecsysClient, unwrap, RecsysProblemError } from '@recsys/sdk';

const recsys = createRecsysClient({
  servingUrl: process.env.RECSYS_SERVING_URL ?? 'http://127.0.0.1:8000',
  ingestUrl: process.env.RECSYS_INGEST_URL ?? 'http://127.0.0.1:8002',
  apiKey: process.env.RECSYS_API_KEY,
});

async function recommendationsFor(userId) {
  try {
    const body = unwrap(
      await recsys.serving.POST('/v1/recommend', {
        body: { surface: 'home', k: 8, user: { user_id: userId }, options: { include_reasons: true } },
      }),
    );
    return { requestId: body.meta.request_id, items: body.items };
  } catch (error) {
    // Typed problems: switch on the stable code, log the request id for support.
    if (error instanceof RecsysProblemError) console.error(error.code, error.requestId, error.message);
    return { requestId: null, items: [] }; // the page still renders without recommendations
  }
}

async function reportPurchase(userId, itemId, requestId) {
  unwrap(
    await recsys.ingest.POST('/v1/events/outcomes', {
      body: {
        events: [
          {
            type: 'purchase',
            item_id: itemId,
            user_id: userId,
            request_id: requestId ?? undefined,
            occurred_at: new Date().toISOString(),
          },
        ],
      },
    }),
  );
}

// The browser talks only to this backend; the API key never leaves the server.
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const userId = url.searchParams.get('user') ?? '14911';
  try {
    if (url.pathname === '/api/recommendations') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(await recommendationsFor(userId)));
    } else if (url.pathname === '/api/purchase' && req.method === 'POST') {
      await reportPurchase(userId, url.searchParams.get('item'), url.searchParams.get('request_id'));
      res.writeHead(204).end();
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(readFileSync(new URL('./browser.html', import.meta.url)));
    } else res.writeHead(404).end();
  } catch (error) {
    // e.g. ingest refused the event (RecsysProblemError with its stable code)
    console.error(error instanceof RecsysProblemError ? `${error.code} ${error.requestId}` : error);
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: error instanceof RecsysProblemError ? error.code : 'internal' }));
  }
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  console.log(`open http://127.0.0.1:${server.address().port}/?user=14911`),
);

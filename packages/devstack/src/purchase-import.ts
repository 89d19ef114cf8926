/**
 * Loads a window of the Online Retail purchases into a running stack through ingest, as a client would:
 * the catalog of the items bought in the window (PUT per item), then the purchases as one NDJSON bulk import.
 * Event ids are `<prefix>-<n>` (n = position among all purchases), so a re-run stores nothing twice.
 * Used by the quickstart demo and the benchmarks.
 */
import { readPurchases, tagsOf, type Purchase } from './online-retail.js';
import type { Stack } from './stack.js';

export interface PurchaseImport {
  tenant: string;
  surface: string;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  eventIdPrefix: string;
  log: (message: string) => void;
}

export interface ImportSummary {
  events: number;
  items: number;
  accepted: number;
  duplicate: number;
  seconds: number;
}

export async function importPurchases(stack: Stack, options: PurchaseImport): Promise<ImportSummary> {
  const started = performance.now();
  const headers = (contentType: string) => ({
    'content-type': contentType,
    'x-service-token': stack.secrets.serviceToken,
    'x-org-id': options.tenant,
  });
  const catalog = new Map<string, Purchase>();
  const lines: string[] = [];
  let position = 0;
  for await (const p of readPurchases()) {
    position++;
    if (p.at < options.from || p.at >= options.to) continue;
    catalog.set(p.itemId, p);
    lines.push(
      JSON.stringify({
        kind: 'outcome',
        event_id: `${options.eventIdPrefix}-${position}`,
        type: 'purchase',
        item_id: p.itemId,
        user_id: p.userId,
        session_id: p.invoice,
        quantity: p.quantity,
        value: Math.round(p.quantity * p.price * 100) / 100,
        surface: options.surface,
        occurred_at: new Date(p.at).toISOString(),
      }),
    );
  }
  // Catalog first, so the publisher knows every item's title and tags.
  const items = [...catalog.values()];
  for (let i = 0; i < items.length; i += 16) {
    await Promise.all(
      items.slice(i, i + 16).map(async (p) => {
        const res = await fetch(`${stack.urls.ingest}/v1/catalog/items/${encodeURIComponent(p.itemId)}`, {
          method: 'PUT',
          headers: headers('application/json'),
          body: JSON.stringify({
            title: p.title,
            tags: tagsOf(p.title),
            price: p.price,
            available: true,
            occurred_at: new Date(options.to - 1000).toISOString(),
          }),
        });
        if (res.status >= 300) throw new Error(`catalog item ${p.itemId}: ${res.status} ${await res.text()}`);
      }),
    );
  }
  const res = await fetch(`${stack.urls.ingest}/v1/events/bulk?report=errors`, {
    method: 'POST',
    headers: headers('application/x-ndjson'),
    body: lines.join('\n') + '\n',
  });
  const text = await res.text();
  const last = text.trim().split('\n').pop() ?? '';
  if (res.status !== 200 || !last.includes('"summary"')) {
    throw new Error(`bulk import failed: ${res.status} ${text.slice(0, 400)}`);
  }
  const summary = (JSON.parse(last) as { summary: { accepted: number; duplicate: number; rejected: number } })
    .summary;
  if (summary.rejected > 0)
    throw new Error(`bulk import rejected ${summary.rejected} lines, e.g. ${text.split('\n')[0]}`);
  options.log(
    `imported ${items.length} catalog items and ${lines.length} purchases (${JSON.stringify(summary)})`,
  );
  return {
    events: lines.length,
    items: items.length,
    accepted: summary.accepted,
    duplicate: summary.duplicate,
    seconds: (performance.now() - started) / 1000,
  };
}

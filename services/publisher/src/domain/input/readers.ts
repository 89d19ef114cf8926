import { InputError, type InputRecord, type Window } from '../events.js';
import { decodeExportLine, parseJsonLine } from './export-lines.js';
import { fileLines, parseCsvLine, streamLines } from './lines.js';

/** Local JSONL file (optionally .gz) with the lines of ingest's export. */
export async function* readJsonl(path: string): AsyncGenerator<InputRecord> {
  let line = 0;
  for await (const text of fileLines(path)) {
    line++;
    if (!text.trim()) continue;
    const record = decodeExportLine(parseJsonLine(text, line), line);
    if (record) yield record;
  }
}

export interface ExportSource {
  baseUrl: string;
  serviceToken: string;
  tenant: string;
  window: Window;
  /** Lines per request; the reader pages with the cursor until a page comes back short. */
  pageSize: number;
  /** Retries of a failed or interrupted request, resumed from the last cursor read. */
  retries: number;
  retryDelayMs?: number;
  fetchImpl?: typeof fetch;
}

/**
 * Ingest's export, `GET /v1/exports/events`, streamed line by line. Every line carries an opaque cursor;
 * a page that ends early (network error, truncated body) is resumed strictly after the last line read, so
 * no line is lost or read twice.
 */
export async function* readExport(source: ExportSource): AsyncGenerator<InputRecord> {
  const doFetch = source.fetchImpl ?? fetch;
  const base = source.baseUrl.replace(/\/+$/, '');
  let cursor: string | undefined;
  let line = 0;
  let failures = 0;
  for (;;) {
    const query = new URLSearchParams({
      from: new Date(source.window.start).toISOString(),
      to: new Date(source.window.end).toISOString(),
      types: 'outcome,catalog.upsert,catalog.delete',
      limit: String(source.pageSize),
    });
    if (cursor) query.set('cursor', cursor);
    let pageLines = 0;
    try {
      const response = await doFetch(`${base}/v1/exports/events?${query}`, {
        headers: {
          'X-Service-Token': source.serviceToken,
          'X-Org-Id': source.tenant,
          accept: 'application/x-ndjson',
        },
      });
      if (!response.ok || !response.body) {
        const body = await response.text().catch(() => '');
        const error = new Error(`export answered ${response.status}: ${body.slice(0, 300)}`);
        if (response.status >= 400 && response.status < 500 && response.status !== 429)
          throw new InputError(error.message);
        throw error;
      }
      for await (const { text, complete } of streamLines(
        response.body as unknown as AsyncIterable<Uint8Array>,
      )) {
        if (!complete) throw new Error('export body ended in the middle of a line');
        if (!text.trim()) continue;
        line++;
        const raw = parseJsonLine(text, line) as Record<string, unknown>;
        const record = decodeExportLine(raw, line);
        if (typeof raw.cursor !== 'string' || !raw.cursor)
          throw new InputError('export line without cursor', line);
        cursor = raw.cursor;
        pageLines++;
        failures = 0;
        if (record) yield record;
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      failures++;
      if (failures > source.retries) {
        throw new Error(`export failed after ${source.retries} retries: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, (source.retryDelayMs ?? 500) * failures));
      continue; // resume after the last cursor read
    }
    if (pageLines < source.pageSize) return;
  }
}

/**
 * Online Retail (UCI) CSV, gzip or plain. Mapping (shared/datasets/online-retail/README.md):
 * - a purchase outcome per line with a CustomerID, Quantity > 0 and an InvoiceNo not starting with `C`;
 * - item id = StockCode trimmed and upper-cased; user id = CustomerID without a trailing `.0`;
 *   session = InvoiceNo; time = InvoiceDate read as UTC.
 * - catalog, from every line with a StockCode (customer or not, before the window end): title = the latest
 *   non-empty Description; price = the latest UnitPrice > 0; tags = `descriptionTags(Description)`.
 */
export async function* readOnlineRetail(path: string): AsyncGenerator<InputRecord> {
  let line = 0;
  let header: string[] | undefined;
  const col: Record<string, number> = {};
  const catalog = new Map<string, { title?: string; price?: number }>();
  for await (const text of fileLines(path)) {
    line++;
    if (!text.trim()) continue;
    const fields = parseCsvLine(text);
    if (!header) {
      header = fields.map((f) => f.trim());
      for (const name of [
        'InvoiceNo',
        'StockCode',
        'Description',
        'Quantity',
        'InvoiceDate',
        'UnitPrice',
        'CustomerID',
      ]) {
        const idx = header.indexOf(name);
        if (idx < 0) throw new InputError(`Online Retail header lacks ${name}`, line);
        col[name] = idx;
      }
      continue;
    }
    const invoice = (fields[col.InvoiceNo!] ?? '').trim();
    const itemId = (fields[col.StockCode!] ?? '').trim().toUpperCase();
    const dateText = (fields[col.InvoiceDate!] ?? '').trim();
    const at = Date.parse(`${dateText.replace(' ', 'T')}Z`);
    if (!itemId || !invoice) continue;
    if (!Number.isFinite(at)) throw new InputError(`invalid InvoiceDate ${JSON.stringify(dateText)}`, line);
    const description = (fields[col.Description!] ?? '').trim();
    const price = Number(fields[col.UnitPrice!]);
    const previous = catalog.get(itemId) ?? {};
    const next = {
      title: description || previous.title,
      price: Number.isFinite(price) && price > 0 ? price : previous.price,
    };
    if (next.title !== previous.title || next.price !== previous.price || !catalog.has(itemId)) {
      catalog.set(itemId, next);
      yield {
        kind: 'catalog',
        at,
        item: {
          itemId,
          available: true,
          tags: next.title ? descriptionTags(next.title) : [],
          ...(next.title ? { title: next.title } : {}),
          ...(next.price !== undefined ? { price: next.price } : {}),
        },
      };
    }
    const customer = (fields[col.CustomerID!] ?? '').trim().replace(/\.0+$/, '');
    const quantity = Number(fields[col.Quantity!]);
    if (!customer || !(quantity > 0) || invoice.startsWith('C')) continue;
    yield {
      kind: 'event',
      event: { type: 'purchase', itemId, userId: customer, sessionId: invoice, at, quantity },
    };
  }
}

const STOPWORDS = new Set([
  'and',
  'the',
  'for',
  'with',
  'set',
  'of',
  'in',
  'on',
  'to',
  'a',
  'an',
  'by',
  'from',
  'assorted',
  'asst',
  'colour',
  'colours',
  'design',
  'designs',
  'pack',
]);

/**
 * Tags from an Online Retail description: lower-cased words of at least 3 letters (a-z, split on anything
 * else), without stop words and sizes/packaging words above, deduplicated, at most 8, in order of appearance.
 * "WHITE HANGING HEART T-LIGHT HOLDER" → [white, hanging, heart, light, holder].
 */
export function descriptionTags(description: string): string[] {
  const tags: string[] = [];
  for (const word of description.toLowerCase().split(/[^a-z]+/)) {
    if (word.length < 3 || STOPWORDS.has(word) || tags.includes(word)) continue;
    tags.push(word);
    if (tags.length === 8) break;
  }
  return tags;
}

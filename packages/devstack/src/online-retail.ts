/**
 * Reader of the bundled Online Retail transaction log (../shared/datasets/online-retail): the purchase events
 * of its evaluation protocol, streamed from the gzip CSV. Used by the quickstart demo and the benchmarks.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { repoRoot } from './stack.js';

export const DATASET_PATH = join(repoRoot, '../shared/datasets/online-retail/online-retail.csv.gz');
export const SPLIT_AT = Date.parse('2011-11-09T00:00:00Z');

export interface Purchase {
  invoice: string;
  itemId: string;
  title: string;
  quantity: number;
  at: number;
  price: number;
  userId: string;
  country: string;
}

/** Splits one CSV line with quoted fields (descriptions contain commas and doubled quotes). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** Streams the purchase outcomes of the protocol: a customer, quantity > 0, invoice not starting with C. */
export async function* readPurchases(path = DATASET_PATH): AsyncGenerator<Purchase> {
  if (!existsSync(path)) throw new Error(`dataset not found at ${path}`);
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (!line) continue;
    const [invoice, stockCode, description, quantity, invoiceDate, unitPrice, customerId, country] =
      splitCsvLine(line);
    const qty = Number(quantity);
    if (!customerId || !(qty > 0) || invoice!.startsWith('C')) continue;
    yield {
      invoice: invoice!,
      itemId: stockCode!.trim().toUpperCase(),
      title: (description ?? '').trim(),
      quantity: qty,
      at: Date.parse(invoiceDate!.replace(' ', 'T') + 'Z'),
      price: Number(unitPrice),
      userId: customerId.replace(/\.0$/, ''),
      country: country ?? '',
    };
  }
}

/** Tags derived from a description: lower-cased words of 3+ letters, minus a few stop words. */
export function tagsOf(title: string): string[] {
  const stop = new Set(['and', 'the', 'with', 'for', 'set', 'of', 'in', 'a']);
  return [
    ...new Set(
      title
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter((w) => w.length >= 3 && !stop.has(w)),
    ),
  ].slice(0, 20);
}

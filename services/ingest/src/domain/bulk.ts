/**
 * Bulk NDJSON import with bounded memory: the body is read as a stream and cut into lines; every
 * `chunkSize` lines are stored in one transaction, and only then are their results handed to `emit`. While a
 * chunk is being stored no more input is read, so a fast client is held back by TCP flow control.
 */
import type { BulkLineResult, BulkSummary } from '@recsys/contracts-ingest';
import { RejectCodes, type NormalizeContext, type NormalizedEvent, type Rejection } from './normalize.js';
import type { EventStore } from './store.js';
import { validateLine } from './validate.js';

export interface BulkOptions {
  chunkSize: number;
  maxLineBytes: number;
  /** Only rejected lines are emitted when true. */
  errorsOnly: boolean;
}

export async function importNdjson(
  source: AsyncIterable<Buffer | string>,
  store: EventStore,
  context: () => NormalizeContext,
  options: BulkOptions,
  emit: (results: BulkLineResult[]) => Promise<void>,
): Promise<BulkSummary> {
  const summary = { lines: 0, accepted: 0, duplicate: 0, rejected: 0, complete: true as const };
  let pending: { line: number; item: NormalizedEvent | Rejection }[] = [];
  let ctx = context();
  let lineNo = 0;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let overflow = false;

  // One chunk is stored while the next one is parsed; results are emitted in order, each only after its
  // chunk committed. At most two chunks are held in memory.
  let inflight: Promise<void> | undefined;
  const settle = async () => {
    const job = inflight;
    inflight = undefined;
    if (job) await job;
  };
  const flush = async () => {
    await settle();
    if (!pending.length) return;
    const chunk = pending;
    pending = [];
    ctx = context();
    const job = store
      .store(
        chunk.map((c) => c.item),
        'bulk',
      )
      .then((results) => {
        const out: BulkLineResult[] = [];
        results.forEach((result, i) => {
          summary[result.status]++;
          if (options.errorsOnly && result.status !== 'rejected') return;
          out.push({
            line: chunk[i]!.line,
            status: result.status,
            ...(result.event_id ? { event_id: result.event_id } : {}),
            ...(result.code ? { code: result.code } : {}),
            ...(result.reason ? { reason: result.reason } : {}),
          });
        });
        return emit(out);
      });
    job.catch(() => undefined); // observed by settle(); keeps a failure from being reported as unhandled
    inflight = job;
  };

  const takeLine = async (bytes: Buffer | undefined, tooLong: boolean) => {
    lineNo++;
    if (tooLong) {
      summary.lines++;
      pending.push({
        line: lineNo,
        item: {
          ok: false,
          code: RejectCodes.LINE_TOO_LONG,
          reason: `line exceeds ${options.maxLineBytes} bytes`,
        },
      });
    } else {
      let text = bytes!.toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (!text.trim()) return; // blank lines are skipped (they still count for line numbers)
      summary.lines++;
      let item: NormalizedEvent | Rejection;
      try {
        item = validateLine(JSON.parse(text), ctx);
      } catch (error) {
        item = {
          ok: false,
          code: RejectCodes.LINE_MALFORMED,
          reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      pending.push({ line: lineNo, item });
    }
    if (pending.length >= options.chunkSize) await flush();
  };

  for await (const raw of source) {
    const buf = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(10, start);
      const end = nl === -1 ? buf.length : nl;
      const piece = buf.subarray(start, end);
      if (!overflow) {
        if (partsBytes + piece.length > options.maxLineBytes) {
          overflow = true;
          parts = [];
          partsBytes = 0;
        } else {
          parts.push(piece);
          partsBytes += piece.length;
        }
      }
      if (nl === -1) break;
      const line = overflow ? undefined : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      const wasOverflow = overflow;
      parts = [];
      partsBytes = 0;
      overflow = false;
      start = nl + 1;
      await takeLine(line, wasOverflow);
    }
  }
  if (overflow || partsBytes > 0) await takeLine(overflow ? undefined : Buffer.concat(parts), overflow);
  await flush();
  await settle();
  return { summary };
}

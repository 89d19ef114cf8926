/**
 * Bulk NDJSON import with bounded memory: the body is read as a stream and cut into lines; every
 * `chunkSize` lines (or fewer, once they hold `chunkBytes` of input) are stored in one transaction, and only
 * then are their results handed to `emit`. While more than QUEUE_DEPTH chunks are waiting for storage no more
 * input is read, so a fast client is held back by TCP flow control.
 */
import type { BulkLineResult, BulkSummary } from '@recsys/contracts-ingest';
import { RejectCodes, type NormalizeContext, type NormalizedEvent, type Rejection } from './normalize.js';
import type { EventStore, ItemResult } from './store.js';
import { validateLine } from './validate.js';

/** Chunks that may be committing while the next one is parsed (parsing waits while one more is). */
const QUEUE_DEPTH = 2;

export interface BulkOptions {
  /** Most lines per chunk (one transaction). */
  chunkSize: number;
  /** A chunk is also closed once its lines hold this many bytes of input. */
  chunkBytes: number;
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
  // The chunk being parsed: its elements go into the batch as they are validated, their line numbers here.
  let batch = store.batch('bulk');
  let lines: number[] = [];
  let linesBytes = 0;
  let ctx = context();
  let lineNo = 0;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let overflow = false;

  // Each chunk is committed in its own transaction (on a connection of its own) as soon as it is parsed, while
  // parsing goes on; the results of a chunk are emitted, in order, only after it and every chunk before it
  // committed. Parsing waits while more than QUEUE_DEPTH chunks are not yet reported, so at most QUEUE_DEPTH + 1
  // chunks are held in memory and being committed at once. After a failed chunk nothing more is reported: chunks after
  // it may have committed, and come back as duplicates when the import is sent again.
  const queue: Promise<void>[] = [];
  const drain = async (depth: number) => {
    while (queue.length > depth) await queue.shift();
  };
  const report = async (committed: Promise<ItemResult[]>, chunkLines: number[]) => {
    const results = await committed;
    const out: BulkLineResult[] = [];
    results.forEach((result, i) => {
      summary[result.status]++;
      if (options.errorsOnly && result.status !== 'rejected') return;
      out.push({
        line: chunkLines[i]!,
        status: result.status,
        ...(result.event_id ? { event_id: result.event_id } : {}),
        ...(result.code ? { code: result.code } : {}),
        ...(result.reason ? { reason: result.reason } : {}),
      });
    });
    await emit(out);
  };
  const flush = async () => {
    if (!lines.length) return;
    const chunk = batch;
    const chunkLines = lines;
    batch = store.batch('bulk');
    lines = [];
    linesBytes = 0;
    ctx = context();
    const committed = store.commit(chunk);
    committed.catch(() => undefined); // observed by report(), unless a chunk before it failed
    const job = (queue.at(-1) ?? Promise.resolve()).then(() => report(committed, chunkLines));
    job.catch(() => undefined); // observed by drain(); keeps a failure from being reported as unhandled
    queue.push(job);
    await drain(QUEUE_DEPTH);
  };

  /** Adds one line to the chunk being parsed; true when the chunk is full (the caller flushes it). */
  const takeLine = (bytes: Buffer | undefined, tooLong: boolean): boolean => {
    lineNo++;
    if (tooLong) {
      summary.lines++;
      lines.push(lineNo);
      batch.add({
        ok: false,
        code: RejectCodes.LINE_TOO_LONG,
        reason: `line exceeds ${options.maxLineBytes} bytes`,
      });
    } else {
      linesBytes += bytes!.length;
      let text = bytes!.toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (!text.trim()) return false; // blank lines are skipped (they still count for line numbers)
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
      lines.push(lineNo);
      batch.add(item);
    }
    return lines.length >= options.chunkSize || linesBytes >= options.chunkBytes;
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
      // Synchronous per line: awaiting only when a chunk is full keeps a microtask off every line.
      if (takeLine(line, wasOverflow)) await flush();
    }
  }
  if (overflow || partsBytes > 0) takeLine(overflow ? undefined : Buffer.concat(parts), overflow);
  await flush();
  await drain(0);
  return { summary };
}

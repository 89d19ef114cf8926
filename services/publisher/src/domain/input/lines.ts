import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** Lines of a local file, gunzipped when the name ends in .gz; streamed, never read whole. */
export async function* fileLines(path: string): AsyncGenerator<string> {
  let stream: Readable = createReadStream(path);
  if (path.endsWith('.gz')) stream = stream.pipe(createGunzip());
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    stream.destroy();
  }
}

/**
 * Splits a byte stream (web ReadableStream or async iterable of chunks) into lines. A last line without
 * its newline is yielded with `complete: false` (NDJSON writers end every line, so it means a cut body).
 */
export async function* streamLines(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<{ text: string; complete: boolean }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline = buffer.indexOf('\n', start);
    while (newline >= 0) {
      yield { text: buffer.slice(start, newline).replace(/\r$/, ''), complete: true };
      start = newline + 1;
      newline = buffer.indexOf('\n', start);
    }
    buffer = buffer.slice(start);
  }
  buffer += decoder.decode();
  if (buffer.trim().length) yield { text: buffer.replace(/\r$/, ''), complete: false };
}

/** One CSV record (RFC 4180 quoting: `"a, b"`, `""` for a quote) of a single line. */
export function parseCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '"') quoted = true;
    else field += c;
  }
  fields.push(field);
  return fields;
}

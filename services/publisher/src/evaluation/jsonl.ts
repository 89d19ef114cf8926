/**
 * Streaming JSONL reading: one line at a time through readline, so memory never holds a whole file.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { z } from '@recsys/contract-kit';
import { describeZodError, KNOWN_KINDS } from './schemas.js';

/** A usage or input error: the command prints the message and exits 1. */
export class EvalInputError extends Error {
  override name = 'EvalInputError';
}

/**
 * The inputs are readable but lack what the command needs to give a trustworthy answer (e.g. `ope` without
 * logging propensities): the command prints `<code>: <message>`, writes no report and exits with `exitCode`.
 */
export class EvalRefusal extends Error {
  override name = 'EvalRefusal';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export type LineResult<T> =
  | { line: number; status: 'ok'; value: T }
  | { line: number; status: 'invalid'; reason: string }
  | { line: number; status: 'skipped'; kind: string };

export async function assertReadable(path: string, flag: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new EvalInputError(`${flag}: cannot read ${path}`);
  }
}

/** Yields the non-blank lines of a file with their 1-based line numbers. */
export async function* readLines(path: string): AsyncGenerator<{ line: number; text: string }> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      if (text.trim().length === 0) continue;
      yield { line, text };
    }
  } finally {
    rl.close();
    input.destroy();
  }
}

/**
 * Reads a JSONL file and checks each line against `schema`. A line whose `kind` names another known export kind
 * is skipped (so one ingest export can be passed as every input); an unknown `kind` is invalid.
 */
export async function* readRecords<S extends z.ZodType>(
  path: string,
  schema: S,
  expectedKind: string | null,
): AsyncGenerator<LineResult<z.output<S>>> {
  for await (const { line, text } of readLines(path)) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      yield { line, status: 'invalid', reason: `not valid JSON (${(error as Error).message})` };
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      yield { line, status: 'invalid', reason: 'not a JSON object' };
      continue;
    }
    const kind = (raw as Record<string, unknown>).kind;
    if (expectedKind !== null && kind !== undefined && kind !== expectedKind) {
      if (typeof kind === 'string' && (KNOWN_KINDS as readonly string[]).includes(kind)) {
        yield { line, status: 'skipped', kind };
      } else {
        yield { line, status: 'invalid', reason: `kind: unknown kind ${JSON.stringify(kind)}` };
      }
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) yield { line, status: 'ok', value: parsed.data };
    else yield { line, status: 'invalid', reason: describeZodError(parsed.error) };
  }
}

/**
 * Like readRecords, but an invalid line aborts the command (offline / experiment / ope need clean inputs;
 * `validate` explains what is wrong). Skipped lines are dropped.
 */
export async function* readValid<S extends z.ZodType>(
  path: string,
  schema: S,
  expectedKind: string | null,
  label: string,
): AsyncGenerator<{ line: number; value: z.output<S> }> {
  for await (const result of readRecords(path, schema, expectedKind)) {
    if (result.status === 'invalid') {
      throw new EvalInputError(
        `${label} ${path} line ${result.line}: ${result.reason} (run \`eval validate\` for every problem)`,
      );
    }
    if (result.status === 'ok') yield { line: result.line, value: result.value };
  }
}

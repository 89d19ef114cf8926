import { Writable } from 'node:stream';
import { runCli, type CliIo } from '../../src/commands.js';

/** Runs a CLI command in-process and captures stdout/stderr; the last stdout line is parsed as JSON. */
export async function cli(
  argv: string[],
  env: Record<string, string>,
  extra: Omit<CliIo, 'env' | 'stdout' | 'stderr'> = {},
): Promise<{ code: number; out: any; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk));
        cb();
      },
    }) as unknown as NodeJS.WriteStream;
  const code = await runCli(argv, {
    ...extra,
    env,
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  let out: any = null;
  try {
    out = last ? JSON.parse(last) : null;
  } catch {
    out = null;
  }
  return { code, out, stdout, stderr };
}

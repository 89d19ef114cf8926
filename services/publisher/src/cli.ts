#!/usr/bin/env node
/**
 * `recsys-publisher`: the data engineers' CLI. Each command is loaded on demand so `--help` stays instant;
 * the pipeline commands live in commands.ts. Exit codes: exit-codes.ts (printed by --help).
 */
import { COMMAND_SUMMARIES } from './command-list.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';

export function usage(): string {
  const width = Math.max(...Object.keys(COMMAND_SUMMARIES).map((name) => name.length));
  return [
    'Usage: recsys-publisher <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMAND_SUMMARIES).map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'Run `recsys-publisher <command> --help` for the options of one command.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return ExitCode.OK;
  }
  if (!(name in COMMAND_SUMMARIES)) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return ExitCode.USAGE;
  }
  if (name === 'serve' || name === 'migrate') {
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(
        name === 'serve'
          ? 'Usage: recsys-publisher serve\n\nScheduled mode: runs `run` every PUBLISHER_SCHEDULE_INTERVAL for each of\nPUBLISHER_SCHEDULE_TARGETS and serves /healthz, /readyz and /metrics on PUBLISHER_PORT.'
          : "Usage: recsys-publisher migrate\n\nApplies the publisher's pending migrations (PUBLISHER_DB_SCHEMA) and exits.",
      );
      console.log(`\n${EXIT_CODES_HELP}`);
      return ExitCode.OK;
    }
    if (name === 'migrate') {
      await import('./migrate.js');
      return ExitCode.OK;
    }
    await import('./main.js');
    return new Promise<number>(() => undefined); // runs until a signal stops it
  }
  // `eval <validate|offline|experiment|ope|schema>` is the evaluation toolkit over exported logs (src/evaluation);
  // `eval --tenant …` is the pipeline's gate report (commands.ts).
  if (name === 'eval' && ['validate', 'offline', 'experiment', 'ope', 'schema'].includes(rest[0] ?? '')) {
    const { runEvalCommand } = await import('./evaluation/cli.js');
    return runEvalCommand(rest);
  }
  const { runCli } = await import('./commands.js');
  return runCli(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(ExitCode.FAILURE);
  },
);

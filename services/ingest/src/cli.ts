#!/usr/bin/env node
// `recsys-ingest <command>` (see src/cli/commands.ts): migrate | retention | export.
import { runCli } from './cli/commands.js';

process.exit(await runCli(process.argv.slice(2)));

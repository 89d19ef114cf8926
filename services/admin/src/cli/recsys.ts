#!/usr/bin/env node
// `recsys`: config-as-code for operators (export / plan / diff / apply against the admin API).
import { loadCliEnv } from '../config.js';
import { runRecsys } from './operator.js';

const code = await runRecsys(process.argv.slice(2), {
  env: loadCliEnv(),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(code);

/** Names and one-line summaries of the CLI commands (kept free of heavy imports so `--help` is instant). */
export const COMMAND_SUMMARIES: Record<string, string> = {
  serve: 'Run the scheduled mode: a long-running service with /healthz, /readyz and /metrics.',
  migrate: "Apply the publisher's pending database migrations and exit.",
  run: 'Build artifacts for a window, validate, evaluate against current (gate), publish.',
  eval: 'Gate report: build and stage a candidate, evaluate it against current; never publishes. `eval validate|offline|experiment|ope|schema`: reports over exported logs.',
  backfill: 'Run day by day over a range (window of --days ending at each day), resumable from checkpoints.',
  status: 'Show current, staged and history of a tenant/surface.',
  ship: 'Promote a staged version to current (pointer move + manifest.published event).',
  rollback: 'Point current back at the previous version (or --to <version>) and emit manifest.rolled_back.',
  validate: 'Validate artifacts: a staged/current version in the store, or local artifact files.',
};

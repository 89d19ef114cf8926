/** Exit codes of `recsys-publisher` (also printed by --help and listed in docs/services/publisher.md). */
export const ExitCode = {
  /** Success (published, evaluated, validated, …). */
  OK: 0,
  /** Runtime failure: input unreadable, store/serving/database unreachable, unexpected error. */
  FAILURE: 1,
  /** Usage or configuration error: unknown flag, bad date, missing value. */
  USAGE: 2,
  /** The evaluation gate refused the candidate (regression beyond tolerance); nothing was published. */
  GATE_REFUSED: 3,
  /** Validation refused the artifacts (schema, empty, size, checksum, NaN, unknown ids); nothing was published. */
  INVALID: 4,
  /** A configured limit was exceeded (max items, users, pairs, neighbours, memory). */
  LIMIT: 5,
  /** The pointer moved under us (concurrent publish) or a conditional write failed; nothing was changed. */
  CONFLICT: 6,
  /** The named version, staged manifest or history entry does not exist. */
  NOT_FOUND: 7,
} as const;

export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  success',
  '  1  runtime failure (input, store, serving, database)',
  '  2  usage or configuration error',
  '  3  evaluation gate refused the candidate (regression beyond tolerance)',
  '  4  validation refused the artifacts',
  '  5  a limit was exceeded (items, users, pairs, neighbours, memory)',
  '  6  conflict: the current pointer moved during the publish',
  '  7  not found (version, staged manifest, history entry)',
].join('\n');

/** Stable error codes in the CLI's JSON output and logs (docs/api/errors.md, "Publisher"). */
export const PublisherCodes: Record<number, string> = {
  [ExitCode.FAILURE]: 'RECSYS_PUBLISHER_FAILED',
  [ExitCode.USAGE]: 'RECSYS_PUBLISHER_USAGE',
  [ExitCode.GATE_REFUSED]: 'RECSYS_PUBLISHER_GATE_REFUSED',
  [ExitCode.INVALID]: 'RECSYS_PUBLISHER_VALIDATION_FAILED',
  [ExitCode.LIMIT]: 'RECSYS_PUBLISHER_LIMIT_EXCEEDED',
  [ExitCode.CONFLICT]: 'RECSYS_PUBLISHER_POINTER_CONFLICT',
  [ExitCode.NOT_FOUND]: 'RECSYS_PUBLISHER_NOT_FOUND',
};

/** Input lines that are not in the documented shapes (a FAILURE with its own code). */
export const INPUT_INVALID_CODE = 'RECSYS_PUBLISHER_INPUT_INVALID';

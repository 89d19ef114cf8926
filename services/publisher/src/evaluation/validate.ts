/**
 * `eval validate`: checks exposure, outcome and assignment JSONL files line by line against the contracts and
 * counts the joins of outcomes (and assignments) to exposures by request id.
 * Memory: the set of exposure request ids (for joins and duplicate detection); lines are streamed.
 */
import { baseReport, EvalExit, tidy, type RunContext } from './common.js';
import { readRecords } from './jsonl.js';
import { Window } from './join.js';
import type { EvalReport } from './report.js';
import { EvalAssignmentLine, EvalExposureLine, EvalOutcomeLine } from './schemas.js';

export interface ValidateOptions {
  exposures?: string;
  outcomes?: string;
  assignments?: string;
  /** Invalid lines listed per file in the report (all are counted). */
  maxErrors: number;
}

type FileReport = NonNullable<EvalReport['validate']>['files'][number];

export async function runValidate(
  options: ValidateOptions,
  context: RunContext,
  onInvalid?: (role: string, line: number, reason: string) => void,
): Promise<EvalReport> {
  const window = new Window();
  const files: FileReport[] = [];
  const exposureIds = new Set<string>();
  let duplicates = 0;
  const joins = {
    outcomes_with_request_id: 0,
    outcomes_joined: 0,
    assignments_with_request_id: 0,
    assignments_joined: 0,
  };

  const check = async <T extends { occurred_at: string; request_id?: string }>(
    role: FileReport['role'],
    path: string,
    schema: Parameters<typeof readRecords>[1],
    kind: string,
    onValid: (value: T) => void,
  ) => {
    const file: FileReport = {
      role,
      path,
      lines: 0,
      valid: 0,
      invalid: 0,
      skipped: 0,
      errors: [],
      errors_truncated: false,
    };
    for await (const result of readRecords(path, schema, kind)) {
      file.lines++;
      if (result.status === 'skipped') file.skipped++;
      else if (result.status === 'invalid') {
        file.invalid++;
        onInvalid?.(role, result.line, result.reason);
        if (file.errors.length < options.maxErrors)
          file.errors.push({ line: result.line, reason: result.reason });
        else file.errors_truncated = true;
      } else {
        file.valid++;
        const value = result.value as T;
        window.add(Date.parse(value.occurred_at));
        onValid(value);
      }
    }
    files.push(file);
  };

  if (options.exposures) {
    await check<{ occurred_at: string; request_id: string }>(
      'exposures',
      options.exposures,
      EvalExposureLine,
      'exposure',
      (e) => {
        if (exposureIds.has(e.request_id)) duplicates++;
        else exposureIds.add(e.request_id);
      },
    );
  }
  if (options.outcomes) {
    await check('outcomes', options.outcomes, EvalOutcomeLine, 'outcome', (o) => {
      if (!o.request_id) return;
      joins.outcomes_with_request_id++;
      if (exposureIds.has(o.request_id)) joins.outcomes_joined++;
    });
  }
  if (options.assignments) {
    await check('assignments', options.assignments, EvalAssignmentLine, 'assignment', (a) => {
      if (!a.request_id) return;
      joins.assignments_with_request_id++;
      if (exposureIds.has(a.request_id)) joins.assignments_joined++;
    });
  }

  const invalid = files.reduce((s, f) => s + f.invalid, 0);
  const warnings: string[] = [];
  for (const f of files)
    if (f.valid === 0) warnings.push(`${f.role} file ${f.path} holds no ${f.role.slice(0, -1)} line`);
  if (duplicates) warnings.push(`${duplicates} duplicate exposure request id(s)`);
  const joinRate = joins.outcomes_with_request_id
    ? joins.outcomes_joined / joins.outcomes_with_request_id
    : null;
  if (options.exposures && joinRate !== null && joinRate < 0.95) {
    warnings.push(`outcome join rate ${joinRate.toFixed(4)} is below 0.95`);
  }
  const inputs: Record<string, string> = {};
  for (const f of files) inputs[f.role] = f.path;
  const counts: Record<string, number> = { invalid_lines: invalid };
  for (const f of files) {
    counts[`${f.role}_lines`] = f.lines;
    counts[`${f.role}_valid`] = f.valid;
    counts[`${f.role}_invalid`] = f.invalid;
  }
  counts.outcomes_joined = joins.outcomes_joined;
  return {
    ...baseReport('validate', context, { ...options }, inputs),
    window: window.toJSON(),
    counts,
    status: invalid ? 'invalid' : 'valid',
    exit_code: invalid ? EvalExit.ERROR : EvalExit.OK,
    warnings,
    series: [],
    validate: {
      files,
      joins: {
        duplicate_exposure_request_ids: duplicates,
        ...joins,
        outcome_join_rate: joinRate === null ? null : tidy(joinRate),
      },
    },
  };
}

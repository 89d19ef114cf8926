import {
  normalizeRules,
  Rule,
  SignalWeights,
  TenantConfig,
  type NormalizedRule,
} from '@recsys/contracts-admin';
import { z } from 'zod';
import type { FieldError } from '@recsys/platform/problem';
import { AdminCodes, adminProblems } from './codes.js';

export type DocumentKind = 'config' | 'rules';

const KNOWN_CONFIG_KEYS = new Set([
  'weights',
  'algo',
  'flags',
  'limits',
  'ranking',
  'surfaces',
  'experiments',
]);
const KNOWN_OVERRIDE_KEYS = new Set(['weights', 'algo', 'ranking']);
const KNOWN_SIGNALS = new Set(Object.keys(SignalWeights.shape));
const RulesArray = z.array(Rule);
const RulesObject = z.looseObject({ rules: z.array(Rule) });

export interface ValidatedConfig {
  config: TenantConfig;
  warnings: string[];
}

export interface ValidatedRules {
  rules: NormalizedRule[];
  warnings: string[];
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function pointer(path: PropertyKey[]): string {
  return path.map((p) => '/' + escapePointer(String(p))).join('');
}

function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          pointer: pointer([...issue.path, key]),
          in: 'body' as const,
          message: 'unknown field',
        }))
      : [{ pointer: pointer(issue.path), in: 'body' as const, message: issue.message }],
  );
}

function unprocessable(code: string, errors: FieldError[]): never {
  const detail = errors.map((e) => (e.pointer ? `${e.pointer} ${e.message}` : e.message)).join('; ');
  throw adminProblems.invalid(code, 422, detail, errors);
}

/** NUL and unpaired surrogates: text Postgres jsonb cannot store. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = { test: (v: string) => v.includes('\u0000') || LONE_SURROGATE.test(v) };

/** Pointer to the first string or key holding unstorable text. */
function findNul(value: unknown, path: PropertyKey[] = []): PropertyKey[] | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, i]);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return [...path, key];
      const found = findNul(v, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Deepest allowed nesting of a document (config and rules are a few levels deep). */
export const MAX_DOCUMENT_DEPTH = 32;

/** True when the value nests deeper than `limit` (iterative, so hostile input cannot overflow the stack). */
function tooDeep(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current))
      stack.push([child, depth + 1]);
  }
  return false;
}

/** Checks every document passes before schema validation: bounded nesting, only storable text. */
function checkShape(code: string, raw: unknown): void {
  if (tooDeep(raw, MAX_DOCUMENT_DEPTH)) {
    unprocessable(code, [
      { pointer: '', in: 'body', message: `must not nest deeper than ${MAX_DOCUMENT_DEPTH} levels` },
    ]);
  }
  const at = findNul(raw);
  if (at)
    unprocessable(code, [
      { pointer: pointer(at), in: 'body', message: 'must not contain NUL or unpaired surrogate characters' },
    ]);
}

/** Validates a config document: 422 RECSYS_INVALID_CONFIG with a JSON pointer per problem. */
export function validateConfig(raw: unknown): ValidatedConfig {
  checkShape(AdminCodes.INVALID_CONFIG, raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    unprocessable(AdminCodes.INVALID_CONFIG, [
      { pointer: '', in: 'body', message: 'config must be a JSON object' },
    ]);
  }
  const result = TenantConfig.safeParse(raw);
  if (!result.success) unprocessable(AdminCodes.INVALID_CONFIG, toFieldErrors(result.error));
  const config = result.data;
  const warnings: string[] = [];
  for (const key of Object.keys(config)) {
    if (!KNOWN_CONFIG_KEYS.has(key)) warnings.push(`/${key}: unknown key is stored but not used by serving`);
  }
  // Layers serving merges (top level, surfaces, experiment variants): unknown signal names and override keys
  // are kept but have no effect, which is usually a typo.
  const checkWeights = (at: string, value: Record<string, unknown> | undefined) => {
    for (const key of Object.keys(value ?? {})) {
      if (!KNOWN_SIGNALS.has(key)) warnings.push(`${at}/weights/${key}: unknown signal has no effect`);
    }
  };
  const checkOverrides = (at: string, value: Record<string, unknown> | undefined) => {
    for (const key of Object.keys(value ?? {})) {
      if (!KNOWN_OVERRIDE_KEYS.has(key))
        warnings.push(`${at}/${key}: not an override (weights, algo, ranking)`);
    }
    checkWeights(at, value?.weights as Record<string, unknown> | undefined);
  };
  checkWeights('', config.weights);
  for (const [name, overrides] of Object.entries(config.surfaces ?? {})) {
    checkOverrides(`/surfaces/${escapePointer(name)}`, overrides);
  }
  (config.experiments ?? []).forEach((exp, i) =>
    exp.variants.forEach((variant, j) =>
      checkOverrides(`/experiments/${i}/variants/${j}/overrides`, variant.overrides),
    ),
  );
  const weights = config.weights;
  if (weights && Object.values(weights).every((v) => typeof v !== 'number' || v === 0)) {
    warnings.push('/weights: every weight is 0; serving falls back to popularity weight 1');
  }
  const now = Date.now();
  (config.experiments ?? []).forEach((exp, i) => {
    if (exp.ends_at && Date.parse(exp.ends_at) <= now) warnings.push(`/experiments/${i}: has already ended`);
    if (exp.enabled && exp.traffic_percent === 0) warnings.push(`/experiments/${i}: enabled with 0% traffic`);
  });
  return { config, warnings };
}

/** Validates a rules document (array or {rules}): 422 RECSYS_INVALID_RULES with a JSON pointer per problem. */
export function validateRules(raw: unknown): ValidatedRules {
  checkShape(AdminCodes.INVALID_RULES, raw);
  if (raw === null || typeof raw !== 'object') {
    unprocessable(AdminCodes.INVALID_RULES, [
      { pointer: '', in: 'body', message: 'rules must be a JSON array or object' },
    ]);
  }
  const result = Array.isArray(raw) ? RulesArray.safeParse(raw) : RulesObject.safeParse(raw);
  if (!result.success) unprocessable(AdminCodes.INVALID_RULES, toFieldErrors(result.error));
  const rules = normalizeRules(raw);
  const base = Array.isArray(raw) ? '' : '/rules';
  const warnings: string[] = [];
  const now = Date.now();
  const ids = new Map<string, number>();
  rules.forEach((rule, i) => {
    const at = `${base}/${i}`;
    if (!rule.enabled) warnings.push(`${at}: disabled`);
    if (rule.ends_at && Date.parse(rule.ends_at) <= now) warnings.push(`${at}: schedule has already ended`);
    if (rule.action === 'boost' && rule.boost_value === 0)
      warnings.push(`${at}: boost_value 0 has no effect`);
    const previous = ids.get(rule.id);
    if (previous !== undefined) warnings.push(`${at}: same id as ${base}/${previous} (${rule.id})`);
    else ids.set(rule.id, i);
  });
  return { rules, warnings };
}

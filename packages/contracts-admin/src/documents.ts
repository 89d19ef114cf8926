/**
 * Tenant config and rules documents: the two versioned documents admin stores and serving applies.
 * Admin reports every failure of these schemas as 422 with a JSON pointer (the JSON itself parsed).
 */
import { createHash } from 'node:crypto';
import { PathSegment, Timestamp, z } from '@recsys/contract-kit';

const UNPROCESSABLE = { status: 422 } as const;
const nonNegative = (what = 'must be >= 0') => z.number({ error: 'must be a number' }).min(0, what);

// ---- config --------------------------------------------------------------------------------------------------

export const SignalWeights = z
  .looseObject({
    pop: nonNegative().optional(),
    cooc: nonNegative().optional(),
    emb: nonNegative().optional(),
    i2i: nonNegative().optional(),
    content: nonNegative().optional(),
    session: nonNegative().optional(),
    history: nonNegative().optional(),
  })
  .meta({ id: 'SignalWeights', description: 'Blend weights per signal, each >= 0 (not normalised).' });

export const AlgoMode = z
  .enum(['blend', 'popularity', 'cooc', 'implicit'])
  .meta({ id: 'AlgoMode', description: 'Ranking mode.' });

export const RankingSettings = z
  .looseObject({
    max_pins: z.number().int('must be an integer').min(0, 'must be >= 0').optional(),
    mmr_lambda: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
    allow_repeats: z.boolean().optional(),
    fanout: z.number().int('must be an integer').min(1, 'must be >= 1').optional(),
  })
  .meta({ id: 'RankingSettings' });

export const ConfigLimits = z
  .looseObject({
    max_k: z.number().int('must be an integer').min(0, 'must be >= 0').optional(),
    max_exclude_ids: z.number().int('must be an integer').min(0, 'must be >= 0').optional(),
  })
  .meta({ id: 'ConfigLimits', description: 'Validated; values must be >= 0.' });

export const ConfigOverrides = z
  .looseObject({
    weights: SignalWeights.optional(),
    algo: AlgoMode.optional(),
    ranking: RankingSettings.optional(),
  })
  .meta({ id: 'ConfigOverrides' });

export const ExperimentVariant = z
  .looseObject({
    name: z.string().trim().min(1, 'must not be empty'),
    weight: nonNegative(),
    overrides: ConfigOverrides.optional(),
  })
  .meta({ id: 'ExperimentVariant' });

export const ExperimentDefinition = z
  .looseObject({
    id: z.string().trim().min(1, 'must not be empty'),
    enabled: z.boolean().default(true),
    surface: PathSegment.optional(),
    traffic_percent: z
      .number()
      .min(0, 'must be between 0 and 100')
      .max(100, 'must be between 0 and 100')
      .default(100),
    variants: z.array(ExperimentVariant).min(1, 'must not be empty'),
    starts_at: Timestamp.optional(),
    ends_at: Timestamp.optional(),
  })
  .superRefine((exp, ctx) => {
    const seen = new Set<string>();
    exp.variants.forEach((v, i) => {
      if (seen.has(v.name))
        ctx.addIssue({
          code: 'custom',
          path: ['variants', i, 'name'],
          message: `duplicate variant "${v.name}"`,
          params: UNPROCESSABLE,
        });
      seen.add(v.name);
    });
    if (exp.variants.length && exp.variants.every((v) => v.weight === 0))
      ctx.addIssue({
        code: 'custom',
        path: ['variants'],
        message: 'at least one variant must have a weight > 0',
        params: UNPROCESSABLE,
      });
    if (exp.starts_at && exp.ends_at && Date.parse(exp.starts_at) >= Date.parse(exp.ends_at))
      ctx.addIssue({
        code: 'custom',
        path: ['ends_at'],
        message: 'must be after starts_at',
        params: UNPROCESSABLE,
      });
  })
  .meta({ id: 'ExperimentDefinition' });

/**
 * Tenant config document. Unknown top-level keys are kept (reference compatibility: its config is free-form).
 */
export const TenantConfig = z
  .looseObject({
    weights: SignalWeights.optional(),
    algo: AlgoMode.optional(),
    flags: z.record(z.string(), z.unknown()).optional(),
    limits: ConfigLimits.optional(),
    ranking: RankingSettings.optional(),
    surfaces: z.record(PathSegment, ConfigOverrides).optional(),
    experiments: z.array(ExperimentDefinition).optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    (config.experiments ?? []).forEach((exp, i) => {
      if (seen.has(exp.id))
        ctx.addIssue({
          code: 'custom',
          path: ['experiments', i, 'id'],
          message: `duplicate experiment id "${exp.id}"`,
          params: UNPROCESSABLE,
        });
      seen.add(exp.id);
    });
  })
  .meta({ id: 'TenantConfig', description: 'Per-tenant config document (unknown keys are preserved).' });
export type TenantConfig = z.output<typeof TenantConfig>;

// ---- rules ---------------------------------------------------------------------------------------------------

const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);

export const RuleAction = z.enum(['pin', 'boost', 'block']).meta({ id: 'RuleAction' });
export const RuleTargetType = z.enum(['item', 'tag', 'brand', 'category']).meta({ id: 'RuleTargetType' });

export const Rule = z
  .looseObject({
    id: z.string().trim().min(1).optional(),
    action: z.preprocess(lower, RuleAction),
    target_type: z.preprocess(lower, RuleTargetType),
    target_key: z.string().trim().min(1, 'must not be empty').optional(),
    item_ids: z.array(z.string().trim().min(1, 'must not be empty')).optional(),
    surface: PathSegment.optional(),
    segment: PathSegment.optional(),
    priority: z.number().int('must be an integer').default(0),
    boost_value: z.number().optional(),
    max_pins: z.number().int('must be an integer').min(1, 'must be >= 1').optional(),
    starts_at: Timestamp.optional(),
    ends_at: Timestamp.optional(),
    enabled: z.boolean().default(true),
    name: z.string().optional(),
    description: z.string().optional(),
  })
  .superRefine((rule, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message, params: UNPROCESSABLE });
    if (rule.target_type === 'item') {
      if (!rule.item_ids?.length && !rule.target_key)
        issue('item_ids', 'item rules need item_ids (or target_key)');
    } else if (!rule.target_key) {
      issue('target_key', `is required for ${rule.target_type} rules`);
    }
    if (rule.action === 'boost' && rule.boost_value === undefined)
      issue('boost_value', 'is required for boost rules');
    if (rule.action !== 'boost' && rule.boost_value !== undefined)
      issue('boost_value', 'only applies to boost rules');
    if (rule.action !== 'pin' && rule.max_pins !== undefined) issue('max_pins', 'only applies to pin rules');
    if (rule.starts_at && rule.ends_at && Date.parse(rule.starts_at) >= Date.parse(rule.ends_at))
      issue('ends_at', 'must be after starts_at');
  })
  .meta({ id: 'Rule' });
export type Rule = z.output<typeof Rule>;

/** A JSON array of rules, or `{"rules": [...]}`. */
export const RulesDocument = z
  .union([z.array(Rule), z.looseObject({ rules: z.array(Rule) })])
  .meta({ id: 'RulesDocument', description: 'A JSON array of rules or an object with a `rules` array.' });
export type RulesDocument = z.output<typeof RulesDocument>;

export const NormalizedRule = z
  .object({
    id: z.string(),
    action: RuleAction,
    target_type: RuleTargetType,
    target_key: z.string().optional(),
    item_ids: z.array(z.string()),
    surface: z.string().optional(),
    segment: z.string().optional(),
    priority: z.number().int(),
    boost_value: z.number().optional(),
    max_pins: z.number().int().optional(),
    starts_at: Timestamp.optional(),
    ends_at: Timestamp.optional(),
    enabled: z.boolean(),
    name: z.string().optional(),
    description: z.string().optional(),
  })
  .meta({ id: 'NormalizedRule' });
export type NormalizedRule = z.output<typeof NormalizedRule>;

/**
 * The rules of a document as a flat list in document order: aliases resolved, defaults applied, item ids
 * trimmed and de-duplicated (an item rule's lone target_key becomes its item id), and an id derived
 * deterministically from the rule's content when it has none. Throws a ZodError on an invalid document.
 */
export function normalizeRules(doc: unknown): NormalizedRule[] {
  const parsed = RulesDocument.parse(doc);
  const rules = Array.isArray(parsed) ? parsed : parsed.rules;
  return rules.map((rule) => {
    let itemIds = [...new Set(rule.item_ids ?? [])];
    if (rule.target_type === 'item' && itemIds.length === 0 && rule.target_key) itemIds = [rule.target_key];
    const normalized: NormalizedRule = {
      id: '',
      action: rule.action,
      target_type: rule.target_type,
      ...(rule.target_type !== 'item' && rule.target_key ? { target_key: rule.target_key } : {}),
      item_ids: rule.target_type === 'item' ? itemIds : [],
      ...(rule.surface ? { surface: rule.surface } : {}),
      ...(rule.segment ? { segment: rule.segment } : {}),
      priority: rule.priority,
      ...(rule.boost_value !== undefined ? { boost_value: rule.boost_value } : {}),
      ...(rule.max_pins !== undefined ? { max_pins: rule.max_pins } : {}),
      ...(rule.starts_at ? { starts_at: rule.starts_at } : {}),
      ...(rule.ends_at ? { ends_at: rule.ends_at } : {}),
      enabled: rule.enabled,
      ...(rule.name !== undefined ? { name: rule.name } : {}),
      ...(rule.description !== undefined ? { description: rule.description } : {}),
    };
    const { id: _unused, ...content } = normalized;
    normalized.id = rule.id ?? contentId(content);
    return normalized;
  });
}

/** JSON with object keys sorted recursively: the canonical form behind ETags and derived ids. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** UUID-shaped (version 5 layout) id from the SHA-256 of the canonical content. */
function contentId(content: unknown): string {
  const hex = createHash('sha256').update(canonicalJson(content)).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

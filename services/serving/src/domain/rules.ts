import type { NormalizedRule } from '@recsys/contracts-admin';
import type { Rule } from './ranking/types.js';

/** Admin's normalized wire rules → the engine's Rule (camel case, windows as epoch ms). Pure. */
export function toEngineRules(rules: NormalizedRule[]): Rule[] {
  return rules.map((r) => {
    const rule: Rule = {
      id: r.id,
      action: r.action,
      targetType: r.target_type,
      itemIds: r.item_ids,
      priority: r.priority,
      enabled: r.enabled,
    };
    if (r.target_key !== undefined) rule.targetKey = r.target_key.toLowerCase();
    if (r.surface !== undefined) rule.surface = r.surface;
    if (r.segment !== undefined) rule.segment = r.segment;
    if (r.boost_value !== undefined) rule.boostValue = r.boost_value;
    if (r.max_pins !== undefined) rule.maxPins = r.max_pins;
    if (r.starts_at !== undefined) rule.startsAt = Date.parse(r.starts_at);
    if (r.ends_at !== undefined) rule.endsAt = Date.parse(r.ends_at);
    return rule;
  });
}

/**
 * Merchandising rules (pin / boost / block) applied to a scored candidate pool. Pure.
 *
 * Semantics (reference §2.7, kept): rules active at `now` (startsAt ≤ now < endsAt), enabled, in scope (surface
 * and segment compared case-insensitively; an unscoped rule applies everywhere, a segment-scoped one needs that
 * segment) are evaluated by priority desc, ties in document order.
 * - block: the item can never be returned; a previous pin is released (its slot freed). Block beats pin.
 * - pin: up to `maxPins` per response in total (≤ 0 → 3) and `rule.maxPins` per rule; blocked, already pinned and
 *   ineligible items (excluded, unavailable, outside include_ids, failing tag constraints) are skipped without
 *   using a slot. Pinned items come first, in pin order, with their candidate score (0 when not a candidate).
 * - boost: multiplicative, delta = score × boost_value, or delta = boost_value when that product is 0 (which
 *   injects an item that was not a candidate with score = boost_value). Boosts compound in priority order.
 * Item targets match listed ids even outside the pool; tag/brand/category targets match pool items by catalog
 * tags (brand/category = tags starting with a configured prefix, which are then not plain tags).
 */
import type { CatalogItem, RankingConfig, Rule } from './types.js';

/** Minimal candidate shape the rule engine needs. */
export interface RuleCandidate {
  id: string;
  score: number;
  ruleTokens?: string[];
}

export interface RuleContext<C extends RuleCandidate> {
  rules: readonly Rule[];
  /** `activeRules(rules, surface, segment, now)` when the caller has it already (it is not computed again). */
  active?: readonly Rule[];
  surface: string;
  segment: string;
  now: number;
  config: Pick<RankingConfig, 'maxPins' | 'brandTagPrefixes' | 'categoryTagPrefixes'>;
  /** Max number of pinned items (k). */
  k: number;
  pool: Map<string, C>;
  catalog: Map<string, CatalogItem> | undefined;
  /** The snapshot's tag index (available items per tag); used instead of scanning the pool when smaller. */
  tagIndex?: Map<string, string[]>;
  /** Creates a candidate for an item injected by a boost (score already set by the caller to 0). */
  inject: (itemId: string) => C;
  /** Whether an item may be pinned (request filters); returns false to skip without using a slot. */
  pinEligible: (itemId: string) => boolean;
}

export interface RuleOutcome {
  /** Pinned item ids in pin order, with their rule tokens. */
  pins: { id: string; tokens: string[] }[];
  /** Blocked item id → the token of the first rule that blocked it. */
  blocked: Map<string, string>;
  /** Number of rules active for this request. */
  activeRules: number;
}

export function formatBoostToken(ruleId: string, value: number): string {
  const sign = value < 0 ? '-' : '+';
  return `rule.boost:${sign}${Math.abs(value).toFixed(2)}[${ruleId}]`;
}

function inScope(value: string | undefined, actual: string): boolean {
  if (value === undefined) return true;
  const v = value.trim().toLowerCase();
  return v.length === 0 || v === actual.trim().toLowerCase();
}

export function isRuleActive(rule: Rule, surface: string, segment: string, now: number): boolean {
  if (!rule.enabled) return false;
  if (rule.startsAt !== undefined && now < rule.startsAt) return false;
  if (rule.endsAt !== undefined && now >= rule.endsAt) return false;
  return inScope(rule.surface, surface) && inScope(rule.segment, segment);
}

/** Active rules ordered by priority desc, ties in input order. */
export function activeRules(rules: readonly Rule[], surface: string, segment: string, now: number): Rule[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => isRuleActive(rule, surface, segment, now))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index)
    .map(({ rule }) => rule);
}

function hasPrefix(tag: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (p.length > 0 && tag.startsWith(p)) return true;
  return false;
}

export function tagMatches(
  tags: readonly string[],
  type: 'tag' | 'brand' | 'category',
  key: string,
  brandPrefixes: readonly string[],
  categoryPrefixes: readonly string[],
): boolean {
  const k = key.trim().toLowerCase();
  if (k.length === 0) return false;
  if (type === 'tag') {
    for (const t of tags)
      if (t === k && !hasPrefix(t, brandPrefixes) && !hasPrefix(t, categoryPrefixes)) return true;
    return false;
  }
  const prefixes = type === 'brand' ? brandPrefixes : categoryPrefixes;
  for (const t of tags) {
    for (const p of prefixes) if (p.length > 0 && t.startsWith(p) && t.slice(p.length) === k) return true;
  }
  return false;
}

function matchedItems<C extends RuleCandidate>(rule: Rule, ctx: RuleContext<C>): string[] {
  if (rule.targetType === 'item') {
    const ids = rule.itemIds.length > 0 ? rule.itemIds : rule.targetKey ? [rule.targetKey] : [];
    return [...new Set(ids.map((s) => s.trim()).filter((s) => s.length > 0))];
  }
  const key = rule.targetKey;
  if (key === undefined || !ctx.catalog) return [];
  const out: C[] = [];
  const indexed = viaTagIndex(rule.targetType, key, ctx);
  if (indexed) out.push(...indexed);
  else
    for (const cand of ctx.pool.values()) {
      const item = ctx.catalog.get(cand.id);
      if (!item || item.tags.length === 0) continue;
      if (
        tagMatches(
          item.tags,
          rule.targetType,
          key,
          ctx.config.brandTagPrefixes,
          ctx.config.categoryTagPrefixes,
        )
      ) {
        out.push(cand);
      }
    }
  // Tag-matched items are taken in rank order (score desc, id asc) so pins of a tag pick its best items.
  out.sort((a, b) => (a.score !== b.score ? b.score - a.score : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out.map((c) => c.id);
}

/** Pool items carrying the target tag, read from the tag index when its lists are shorter than the pool. */
function viaTagIndex<C extends RuleCandidate>(
  type: 'tag' | 'brand' | 'category',
  key: string,
  ctx: RuleContext<C>,
): C[] | undefined {
  if (!ctx.tagIndex) return undefined;
  const k = key.trim().toLowerCase();
  const { brandTagPrefixes: brands, categoryTagPrefixes: categories } = ctx.config;
  let tags: string[];
  if (type === 'tag') tags = hasPrefix(k, brands) || hasPrefix(k, categories) || k.length === 0 ? [] : [k];
  else
    tags =
      k.length === 0
        ? []
        : (type === 'brand' ? brands : categories).filter((p) => p.length > 0).map((p) => p + k);
  let total = 0;
  for (const t of tags) total += ctx.tagIndex.get(t)?.length ?? 0;
  if (total > ctx.pool.size) return undefined;
  const seen = new Set<string>();
  const out: C[] = [];
  for (const t of tags) {
    for (const id of ctx.tagIndex.get(t) ?? []) {
      const cand = ctx.pool.get(id);
      if (cand && !seen.has(id)) {
        seen.add(id);
        out.push(cand);
      }
    }
  }
  return out;
}

function addToken(cand: RuleCandidate, token: string): void {
  if (!cand.ruleTokens) cand.ruleTokens = [token];
  else if (!cand.ruleTokens.includes(token)) cand.ruleTokens.push(token);
}

/** Applies rules to `ctx.pool` in place (boost scores, injected items) and returns pins and blocks. */
export function applyRules<C extends RuleCandidate>(ctx: RuleContext<C>): RuleOutcome {
  const rules = ctx.active ?? activeRules(ctx.rules, ctx.surface, ctx.segment, ctx.now);
  const blocked = new Map<string, string>();
  const pins: { id: string; tokens: string[] }[] = [];
  const pinnedIds = new Set<string>();
  const globalCap = Math.min(ctx.config.maxPins > 0 ? ctx.config.maxPins : 3, Math.max(0, ctx.k));

  for (const rule of rules) {
    const items = matchedItems(rule, ctx);
    if (rule.action === 'block') {
      const token = `rule.block[${rule.id}]`;
      for (const id of items) {
        if (!blocked.has(id)) blocked.set(id, token);
        if (pinnedIds.has(id)) {
          pinnedIds.delete(id);
          pins.splice(
            pins.findIndex((p) => p.id === id),
            1,
          );
        }
      }
    } else if (rule.action === 'pin') {
      const token = `rule.pin[${rule.id}]`;
      const ruleCap =
        rule.maxPins !== undefined && rule.maxPins > 0 ? rule.maxPins : Number.POSITIVE_INFINITY;
      let used = 0;
      for (const id of items) {
        if (pins.length >= globalCap || used >= ruleCap) break;
        if (blocked.has(id) || pinnedIds.has(id) || !ctx.pinEligible(id)) continue;
        pinnedIds.add(id);
        pins.push({ id, tokens: [token] });
        used++;
      }
    } else {
      const value = rule.boostValue;
      if (value === undefined || value === 0 || !Number.isFinite(value)) continue;
      const token = formatBoostToken(rule.id, value);
      for (const id of items) {
        if (blocked.has(id)) continue;
        let cand = ctx.pool.get(id);
        if (!cand) {
          cand = ctx.inject(id);
          ctx.pool.set(id, cand);
        }
        const delta = cand.score * value;
        cand.score += delta !== 0 ? delta : value;
        addToken(cand, token);
      }
    }
  }
  return { pins, blocked, activeRules: rules.length };
}

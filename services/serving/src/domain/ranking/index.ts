/** Public surface of the ranking engine. */
export * from './types.js';
export { rank, effectiveWeights } from './rank.js';
export { similar } from './similar.js';
export { buildSnapshot, emptySnapshot, normalizeTags } from './snapshot.js';
export type { SnapshotArtifacts, SnapshotMeta, SnapshotOptions } from './snapshot.js';
export { defaultRankingConfig, mergeRankingConfig, parseAlgorithmMode } from './config.js';
export type { TenantConfigDoc, OverridesDoc, WeightsDoc, RankingDoc, ExperimentDoc } from './config.js';
export { applyRules, activeRules, isRuleActive } from './rules.js';

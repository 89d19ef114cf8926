import type { Artifact, ArtifactKind } from '@recsys/contracts-publisher';

/**
 * A small built-in scorer over an artifact set, for `--evaluator local` (tests, offline what-ifs). The
 * default evaluator is serving's preview path, which runs the real ranking code; this one only blends
 * the user's own history, learned item-to-item and co-visitation neighbours of that history, session
 * transitions, and popularity as a fallback, each normalized to [0, 1].
 */
export const LOCAL_WEIGHTS = { history: 1, i2i: 1, cooc: 0.5, session: 0.25, pop: 0.05 };

export class LocalScorer {
  private readonly history = new Map<string, { item_id: string; score: number }[]>();
  private readonly neighbours: Record<
    'i2i' | 'cooc' | 'session',
    Map<string, { item_id: string; score: number }[]>
  > = {
    i2i: new Map(),
    cooc: new Map(),
    session: new Map(),
  };
  private readonly popular: { item_id: string; score: number }[] = [];

  constructor(artifacts: Partial<Record<ArtifactKind, Artifact>>) {
    for (const artifact of Object.values(artifacts)) {
      switch (artifact.artifact_type) {
        case 'popularity':
          this.popular.push(...artifact.items);
          break;
        case 'implicit':
          for (const u of artifact.users) this.history.set(u.user_id, u.items);
          break;
        case 'i2i':
        case 'cooc':
        case 'session_seq': {
          const target =
            this.neighbours[artifact.artifact_type === 'session_seq' ? 'session' : artifact.artifact_type];
          for (const n of artifact.neighbors) target.set(n.item_id, n.items);
          break;
        }
        default:
          break;
      }
    }
  }

  recommend(userId: string, k: number): string[] {
    const scores = new Map<string, number>();
    const add = (item: string, value: number) => scores.set(item, (scores.get(item) ?? 0) + value);
    const history = this.history.get(userId) ?? [];
    const maxHistory = Math.max(0, ...history.map((h) => h.score));
    for (const h of history) {
      const weight = maxHistory > 0 ? h.score / maxHistory : 0;
      add(h.item_id, LOCAL_WEIGHTS.history * weight);
      for (const signal of ['i2i', 'cooc', 'session'] as const) {
        const list = this.neighbours[signal].get(h.item_id);
        if (!list?.length) continue;
        const max = list[0]!.score || 1;
        for (const n of list) add(n.item_id, LOCAL_WEIGHTS[signal] * weight * (n.score / max));
      }
    }
    const maxPop = this.popular[0]?.score || 1;
    for (const p of this.popular.slice(0, Math.max(k * 5, 100)))
      add(p.item_id, LOCAL_WEIGHTS.pop * (p.score / maxPop));
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, k)
      .map(([item]) => item);
  }
}

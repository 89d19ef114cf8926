import type { Artifact, ArtifactKind } from '@recsys/contracts-publisher';
import { LocalScorer } from './local-scorer.js';
import { summarize, type MetricSummary } from './metrics.js';

/** Produces the top-k item ids a given signal version would serve to a user. */
export interface Evaluator {
  readonly name: 'serving' | 'local';
  recommend(version: string, userId: string, k: number): Promise<string[]>;
}

export interface ServingEvaluatorOptions {
  baseUrl: string;
  serviceToken: string;
  tenant: string;
  surface: string;
  segment: string;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
}

/**
 * Serving's preview path: `POST /v1/recommend` with `X-Recsys-Signal-Version`, so the candidate is ranked by
 * the real ranking code (config, rules, blending) exactly as it would be served. Preview emits no exposure.
 */
export class ServingEvaluator implements Evaluator {
  readonly name = 'serving' as const;
  constructor(private readonly options: ServingEvaluatorOptions) {}

  async recommend(version: string, userId: string, k: number): Promise<string[]> {
    const { options } = this;
    const doFetch = options.fetchImpl ?? fetch;
    const response = await doFetch(`${options.baseUrl.replace(/\/+$/, '')}/v1/recommend`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Service-Token': options.serviceToken,
        'X-Org-Id': options.tenant,
        'X-Recsys-Signal-Version': version,
      },
      body: JSON.stringify({
        surface: options.surface,
        segment: options.segment,
        k,
        user: { user_id: userId },
      }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`serving preview of ${version} answered ${response.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { items?: { item_id: string }[] };
    return (body.items ?? []).map((i) => i.item_id);
  }
}

/** Built-in scorer over artifact sets resolved by version (in memory for the candidate, from the store for current). */
export class LocalEvaluator implements Evaluator {
  readonly name = 'local' as const;
  private readonly scorers = new Map<string, Promise<LocalScorer>>();
  constructor(private readonly load: (version: string) => Promise<Partial<Record<ArtifactKind, Artifact>>>) {}

  async recommend(version: string, userId: string, k: number): Promise<string[]> {
    let scorer = this.scorers.get(version);
    if (!scorer) {
      scorer = this.load(version).then((artifacts) => new LocalScorer(artifacts));
      this.scorers.set(version, scorer);
    }
    return (await scorer).recommend(userId, k);
  }
}

/** Runs the evaluator for every user (bounded concurrency) and summarizes. */
export async function evaluateVersion(
  evaluator: Evaluator,
  version: string,
  truth: Map<string, Set<string>>,
  users: string[],
  k: number,
  catalogSize: number,
  concurrency: number,
  onProgress?: (done: number) => void,
): Promise<MetricSummary> {
  const results: { recs: string[]; relevant: Set<string> }[] = new Array(users.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= users.length) return;
      const user = users[i]!;
      results[i] = {
        recs: await evaluator.recommend(version, user, k),
        relevant: truth.get(user) ?? new Set(),
      };
      done++;
      onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, users.length)) }, worker));
  return summarize(results, k, catalogSize);
}

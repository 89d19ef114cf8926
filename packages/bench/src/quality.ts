/**
 * `pnpm bench:quality`: the Online Retail protocol through the running product. Only train-window purchases
 * are imported (ingest) and published (publisher → serving); then, for each test user, one
 * `POST /v1/recommend` (k=20, the user id, as of the split time) for the "all" variant and one with the
 * user's train items in `candidates.exclude_ids` for the "new" variant. Writes bench-results/quality.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@recsys/devstack/stack';
import { describeMachine } from './load.js';
import { BASELINES, buildProtocol, evaluate, SPLIT_AT, type Protocol } from './online-retail.js';
import { bootstrapTenant, hasLiveSignals, importTrain, publish, startBenchStack, SURFACE } from './retail.js';

const log = (m: string) => console.log(`[bench:quality] ${m}`);

export async function recommendAll(
  servingUrl: string,
  apiKey: string,
  protocol: Protocol,
  variant: 'all' | 'new',
): Promise<Map<string, string[]>> {
  const users = [...protocol.truth.keys()];
  const out = new Map<string, string[]>();
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++]!;
      const exclude =
        variant === 'new' ? [...(protocol.trainItemsByUser.get(user) ?? [])].slice(0, 5000) : [];
      const response = await fetch(`${servingUrl}/v1/recommend`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({
          surface: SURFACE,
          k: 20,
          user: { user_id: user },
          context: { now: new Date(SPLIT_AT).toISOString() },
          // Only for exploring alternatives; the reported figures use the served default (no weights).
          ...(process.env.BENCH_WEIGHTS ? { weights: JSON.parse(process.env.BENCH_WEIGHTS) } : {}),
          ...(exclude.length ? { candidates: { exclude_ids: exclude } } : {}),
        }),
      });
      const body = (await response.json()) as { items?: { item_id: string }[] };
      if (response.status !== 200)
        throw new Error(`recommend for ${user}: ${response.status} ${JSON.stringify(body)}`);
      out.set(
        user,
        (body.items ?? []).map((i) => i.item_id),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

export function qualityMarkdown(result: ReturnType<typeof evaluate>, meta: Record<string, unknown>): string {
  const f = (v: number | null) => (v === null ? '—' : v.toFixed(4));
  const rows = BASELINES.map(
    (b) => `| ${b.model} | ${f(b.recallAll)} | ${f(b.ndcgAll)} | ${f(b.recallNew)} | ${f(b.ndcgNew)} |`,
  );
  const beats = (v: number, key: 'recallAll' | 'ndcgAll' | 'recallNew' | 'ndcgNew') =>
    BASELINES.every((b) => b[key] === null || v > (b[key] as number));
  return [
    '| model | Recall@20 all | NDCG@20 all | Recall@20 new | NDCG@20 new |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    `| **RecSys served default** | **${f(result.all.recall)}** | **${f(result.all.ndcg)}** | **${f(result.new.recall)}** | **${f(result.new.ndcg)}** |`,
    '',
    `Beats every baseline row: Recall all ${beats(result.all.recall, 'recallAll')}, NDCG all ${beats(result.all.ndcg, 'ndcgAll')}, ` +
      `Recall new ${beats(result.new.recall, 'recallNew')}, NDCG new ${beats(result.new.ndcg, 'ndcgNew')}.`,
    '',
    `HR@20: all ${f(result.all.hr)} (${result.all.users} users), new ${f(result.new.hr)} (${result.new.users} users).`,
    '',
    '```json',
    JSON.stringify(meta, null, 2),
    '```',
  ].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const protocol = await buildProtocol();
  log(`protocol: ${protocol.trainCount} train purchases, ${protocol.truth.size} test users`);
  const stack = await startBenchStack(log);
  try {
    const apiKey = await bootstrapTenant(stack);
    // A previous run's signals are reused (the train window is fixed) unless BENCH_REBUILD=1.
    const reuse = !process.env.BENCH_REBUILD && (await hasLiveSignals(stack));
    if (reuse)
      log('signals of a previous run are live; skipping import and publish (BENCH_REBUILD=1 to redo)');
    const imported = reuse ? { reused: true } : await importTrain(stack, log);
    const published = reuse ? { seconds: 0 } : await publish(stack, log);
    const all = await recommendAll(stack.urls.serving, apiKey, protocol, 'all');
    const fresh = await recommendAll(stack.urls.serving, apiKey, protocol, 'new');
    const result = evaluate(protocol, all, 20, fresh);
    const meta = {
      command: 'pnpm bench:quality',
      dataset: 'UCI Online Retail (../shared/datasets/online-retail), purchases, split 2011-11-09',
      machine: describeMachine(),
      import: imported,
      publishSeconds: published.seconds,
      totalSeconds: (Date.now() - started) / 1000,
      result,
    };
    const dir = join(repoRoot, 'bench-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'quality.json'), JSON.stringify(meta, null, 2));
    writeFileSync(join(dir, 'quality.md'), qualityMarkdown(result, meta));
    console.log(qualityMarkdown(result, meta));
  } finally {
    await stack.stop();
  }
}

if (process.argv[1]?.endsWith('quality.ts'))
  void main().catch((e) => {
    console.error(e);
    process.exit(1);
  });

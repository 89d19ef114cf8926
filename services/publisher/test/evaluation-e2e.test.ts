/**
 * End to end on the real services: admin holds a tenant config with a 50/50 experiment, the publisher builds and
 * publishes the signals into serving (DB-only mode), serving answers recommendations and assigns each user a
 * variant, outcomes are posted to ingest, ingest's export is written to a file, and `eval validate` and
 * `eval experiment` over that file give the counts and the decision the posted outcomes imply.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createDb, createPool, migrateToLatest } from '@recsys/platform/db';
import { createTestSchema, waitFor, type TestSchema } from '@recsys/testing';
import { migrations } from '../src/db/migrations/index.js';
import { runEvalCommand } from '../src/evaluation/cli.js';
import { ExitCode } from '../src/exit-codes.js';
import { cli } from './support/cli.js';
import { exportLines, writeJsonl } from './support/fixtures.js';
import { startSuite, type Suite } from './support/suite.js';

const TENANT = 'acme'; // the tenant of the fixture lines
const SURFACE = 'home';
const EXPERIMENT = 'home-ranking';
const USERS = 300;

jest.setTimeout(300_000);

async function call(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

async function evaluate(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runEvalCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

interface Served {
  user: string;
  requestId: string;
  variant: string;
  items: string[];
}

describe('evaluation end to end: serving experiment → ingest → export → eval', () => {
  let suite: Suite;
  let publisherSchema: TestSchema;
  let dir: string;

  beforeAll(async () => {
    suite = await startSuite();
    publisherSchema = await createTestSchema('e2e_publisher');
    const db = createDb(
      createPool({ connectionString: publisherSchema.url, schema: publisherSchema.schema, max: 1 }),
    );
    await migrateToLatest(db, publisherSchema.schema, migrations);
    await db.destroy();
    dir = mkdtempSync(join(tmpdir(), 'recsys-eval-e2e-'));
  }, 300_000);

  afterAll(async () => {
    await suite?.stop();
    await publisherSchema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('when B’s lists are clicked four times as often as A’s, then the export evaluates to ship — and to fail with B as control', async () => {
    const service = { 'x-service-token': suite.serviceToken, 'x-org-id': TENANT };
    const startedAt = Date.now();

    // 1. Tenant, API key and a config carrying the experiment, in admin.
    const tenant = await call('POST', `${suite.urls.admin}/v1/admin/tenants`, service, {
      external_id: TENANT,
      display_name: 'Acme',
    });
    expect(tenant.status).toBe(201);
    const key = await call('POST', `${suite.urls.admin}/v1/admin/tenants/${TENANT}/keys`, service, {
      name: 'e2e',
      roles: ['admin'],
    });
    expect(key.status).toBe(201);
    const client = { 'x-api-key': key.body.api_key as string };
    const config = await call('PUT', `${suite.urls.admin}/v1/admin/tenants/${TENANT}/config`, service, {
      experiments: [
        {
          id: EXPERIMENT,
          surface: SURFACE,
          traffic_percent: 100,
          variants: [
            { name: 'A', weight: 50 },
            { name: 'B', weight: 50 },
          ],
        },
      ],
    });
    expect({ status: config.status, body: config.body }).toMatchObject({ status: 200 });

    // 2. Signals built from a purchase history and published into serving by the publisher itself.
    const history = writeJsonl(
      join(dir, 'history.jsonl'),
      exportLines({ days: 10, users: 40, clusters: 5, itemsPerCluster: 8 }),
    );
    const published = await cli(
      [
        'run',
        '--tenant',
        TENANT,
        '--surface',
        SURFACE,
        '--mode',
        'db',
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-11',
        '--input',
        `jsonl:${history}`,
        '--no-gate',
      ],
      {
        DATABASE_URL: publisherSchema.url,
        PUBLISHER_DB_SCHEMA: publisherSchema.schema,
        REDIS_URL: suite.redis.url,
        REDIS_KEY_PREFIX: suite.redis.prefix,
        SERVICE_TOKEN: suite.serviceToken,
        SERVING_URL: suite.urls.serving,
        LOG_LEVEL: 'silent',
        PUBLISHER_EASE_ITEMS: '40',
      },
    );
    expect({ code: published.code, stderr: published.stderr }).toEqual({ code: ExitCode.OK, stderr: '' });

    // 3. Recommendations for USERS new shoppers (activation made the snapshot live before `run` returned);
    //    serving assigns each shopper a variant and logs the exposure on its stream.
    const recommend = (user: string) =>
      call('POST', `${suite.urls.serving}/v1/recommend`, client, {
        surface: SURFACE,
        k: 4,
        user: { user_id: user },
      });
    const served: Served[] = [];
    const users = Array.from({ length: USERS }, (_, i) => `shopper-${i}`);
    for (let i = 0; i < users.length; i += 10) {
      const answers = await Promise.all(users.slice(i, i + 10).map(recommend));
      answers.forEach((answer, j) => {
        expect(answer.status).toBe(200);
        expect(answer.body.items.length).toBeGreaterThan(0);
        expect(answer.body.meta.experiment?.id).toBe(EXPERIMENT);
        served.push({
          user: users[i + j]!,
          requestId: answer.body.meta.request_id,
          variant: answer.body.meta.experiment.variant,
          items: answer.body.items.map((item: { item_id: string }) => item.item_id),
        });
      });
    }
    const byVariant = (variant: string) => served.filter((s) => s.variant === variant);
    const [a, b] = [byVariant('A'), byVariant('B')];
    expect(a.length + b.length).toBe(USERS);
    expect(Math.min(a.length, b.length)).toBeGreaterThan(100); // a 50/50 hash split of 300 users

    // 4. Outcomes posted to ingest, attributed by request id: the n-th A list is clicked when n % 10 = 0,
    //    the n-th B list when n % 10 < 4; every 20th list of each variant also ends in a purchase.
    const events: Record<string, unknown>[] = [];
    const expected = new Map<string, { exposures: number; clicks: number; revenue: number }>();
    for (const [variant, lists, clicked, price] of [
      ['A', a, (n: number) => n % 10 === 0, 10],
      ['B', b, (n: number) => n % 10 < 4, 12.5],
    ] as const) {
      const tally = { exposures: lists.length, clicks: 0, revenue: 0 };
      lists.forEach((s, n) => {
        const base = { item_id: s.items[0]!, user_id: s.user, request_id: s.requestId, surface: SURFACE };
        if (clicked(n)) {
          tally.clicks++;
          events.push({ ...base, type: 'click', occurred_at: new Date().toISOString() });
        }
        if (n % 20 === 0) {
          tally.revenue += price;
          events.push({ ...base, type: 'purchase', value: price, occurred_at: new Date().toISOString() });
        }
      });
      expected.set(variant, tally);
    }
    const posted = await call('POST', `${suite.urls.ingest}/v1/events/outcomes`, client, { events });
    expect(posted.status).toBe(200);
    expect(posted.body.results.filter((r: { status: string }) => r.status !== 'accepted')).toEqual([]);

    // 5. Ingest's export once its consumer has stored every exposure serving logged.
    const window = `from=${new Date(startedAt - 60_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    await waitFor(
      async () => {
        const res = await call(
          'GET',
          `${suite.urls.ingest}/v1/exports/events?${window}&types=exposure`,
          client,
        );
        return res.status === 200 && res.text.split('\n').filter(Boolean).length >= USERS;
      },
      60_000,
      250,
    );
    const exportFile = join(dir, 'export.ndjson');
    const res = await fetch(`${suite.urls.ingest}/v1/exports/events?${window}`, { headers: client });
    expect(res.status).toBe(200);
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(exportFile));

    // 6. The export satisfies the evaluator's input contracts and joins completely.
    const validated = await evaluate([
      'validate',
      '--exposures',
      exportFile,
      '--outcomes',
      exportFile,
      '--out',
      join(dir, 'validate'),
    ]);
    expect({ code: validated.code, stdout: validated.code ? validated.stdout : '' }).toEqual({
      code: 0,
      stdout: '',
    });
    const validation = JSON.parse(await readFile(join(dir, 'validate', 'report.json'), 'utf8'));
    expect(validation.counts).toMatchObject({
      exposures_valid: USERS,
      outcomes_valid: events.length,
      outcomes_joined: events.length,
    });

    // 7. The decision the outcomes imply: B (CTR ≈ 0.4) beats A (CTR ≈ 0.1) with no SRM → ship.
    const out = join(dir, 'experiment');
    const experiment = await evaluate([
      'experiment',
      '--exposures',
      exportFile,
      '--outcomes',
      exportFile,
      '--experiment',
      EXPERIMENT,
      '--split',
      'A=50,B=50',
      '--guardrails',
      'empty_rate<=0',
      '--out',
      out,
    ]);
    expect(experiment.stderr).toBe('');
    expect(experiment.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    const e = report.experiment;
    expect(e.assignment_source).toBe('exposures');
    expect(e.decision.decision).toBe('ship');
    expect(e.control).toBe('A');
    expect(e.candidate).toBe('B');
    for (const variant of e.variants) {
      const want = expected.get(variant.name)!;
      expect([variant.name, variant.exposures, variant.assignments, variant.clicks]).toEqual([
        variant.name,
        want.exposures,
        want.exposures, // one exposure per shopper
        want.clicks,
      ]);
      expect(variant.metrics.ctr.value).toBeCloseTo(want.clicks / want.exposures, 9);
      expect(variant.metrics.revenue_per_exposure.value).toBeCloseTo(want.revenue / want.exposures, 9);
      expect(variant.metrics.empty_rate.value).toBe(0);
    }
    // SRM: chi-square of the shopper counts against 50/50 = (n_A − n_B)² / n.
    expect(e.srm.statistic).toBeCloseTo((a.length - b.length) ** 2 / USERS, 9);
    expect(e.srm.detected).toBe(false);
    expect(report.counts).toMatchObject({
      exposures: USERS,
      exposures_unassigned: 0,
      outcomes_joined: events.length,
    });
    await expect(readFile(join(out, 'report.html'), 'utf8')).resolves.toMatch(
      /<svg[^>]*aria-label="ctr per variant"/,
    );

    // 8. Read the other way round (B as control), the candidate A's CTR is significantly worse → fail.
    const reversed = await evaluate([
      'experiment',
      '--exposures',
      exportFile,
      '--outcomes',
      exportFile,
      '--experiment',
      EXPERIMENT,
      '--control',
      'B',
    ]);
    expect(reversed.code).toBe(3);
    expect(reversed.stdout).toMatch(/decision: fail — ctr regressed significantly/);
  });
});

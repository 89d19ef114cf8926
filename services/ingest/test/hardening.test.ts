/**
 * Ingest's input safety beyond the tenancy matrix: SQL-looking strings in every string field of exposures,
 * assignments and catalog items are stored verbatim (read back from the tables and the export), text
 * Postgres cannot hold (NUL, unpaired surrogates) is refused per event instead of failing the batch with a
 * 500, and the process refuses to start with a JWKS host that is not allowed.
 */
import { join } from 'node:path';
import { runServiceUntilExit, SQL_STRINGS, startJwks } from '@recsys/testing';
import { asService, parseNdjson, postJson, startIngest, type Harness } from './helpers.js';

const T = 'sqlco';

describe('ingest input safety', () => {
  let h: Harness;
  const at = () => new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    h = await startIngest();
  });

  afterAll(async () => {
    await h.close();
  });

  it('when SQL-looking strings fill every string field of exposures, assignments and catalog items, then they are stored and exported verbatim and the tables are intact', async () => {
    // Surface and segment are path segments: separators are refused there by design, not because of SQL.
    const segment = (s: string) => s.replace(/[/\\]/g, '');
    const exposures = SQL_STRINGS.map((s, i) => ({
      event_id: `x-${i}`,
      request_id: s,
      surface: segment(s),
      segment: segment(s),
      user_id: s,
      anonymous_id: s,
      session_id: s,
      occurred_at: at(),
      items: [{ item_id: s, rank: 1, score: 0.5 }],
      algo_version: s,
      config_version: s,
      rules_version: s,
      signal_version: s,
      experiment: { id: s, variant: s },
      context: { locale: s, device: s, country: s },
    }));
    const exp = await postJson(`${h.url}/v1/events/exposures`, { events: exposures }, asService(T));
    expect(exp.status).toBe(200);
    expect(exp.body.results.filter((r: { status: string }) => r.status !== 'accepted')).toEqual([]);
    const assignments = SQL_STRINGS.map((s, i) => ({
      event_id: `a-${i}`,
      experiment_id: s,
      variant: s,
      user_id: s,
      session_id: s,
      request_id: s,
      occurred_at: at(),
    }));
    const asg = await postJson(`${h.url}/v1/events/assignments`, { events: assignments }, asService(T));
    expect(asg.status).toBe(200);
    expect(asg.body.accepted).toBe(SQL_STRINGS.length);
    for (const [i, s] of SQL_STRINGS.entries()) {
      const res = await fetch(`${h.url}/v1/catalog/items/${encodeURIComponent(`item-${i}`)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...asService(T) },
        body: JSON.stringify({ title: s, tags: [s.toLowerCase()], price: 1, available: true }),
      });
      expect(res.status).toBe(200);
    }

    const stored = await h.schema.query(
      `select event_id, request_id, surface, segment, user_id, anonymous_id, session_id, algo_version,
              config_version, rules_version, signal_version, items
         from exposures where tenant_id = $1 order by event_id`,
      [T],
    );
    for (const [i, s] of SQL_STRINGS.entries()) {
      const row = stored.rows.find((r: { event_id: string }) => r.event_id === `x-${i}`);
      expect(row).toMatchObject({
        request_id: s,
        surface: segment(s),
        segment: segment(s),
        user_id: s,
        anonymous_id: s,
        session_id: s,
        algo_version: s,
        config_version: s,
        rules_version: s,
        signal_version: s,
      });
      expect(JSON.stringify(row.items)).toContain(JSON.stringify(s).slice(1, -1));
    }
    const exported = await fetch(
      `${h.url}/v1/exports/events?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&types=assignment,catalog`,
      { headers: asService(T) },
    );
    expect(exported.status).toBe(200);
    const lines = parseNdjson(await exported.text());
    for (const [i, s] of SQL_STRINGS.entries()) {
      expect(lines.find((l) => l.event_id === `a-${i}`)).toMatchObject({
        experiment_id: s,
        variant: s,
        user_id: s,
        session_id: s,
        request_id: s,
      });
      const item = lines.find((l) => l.kind === 'catalog.upsert' && l.item?.item_id === `item-${i}`);
      expect(item?.item).toMatchObject({ title: s, tags: [s.toLowerCase()] });
    }
    const counts = await h.schema.query(
      `select (select count(*) from exposures where tenant_id = $1)::int x,
              (select count(*) from assignments where tenant_id = $1)::int a,
              (select count(*) from catalog_items where tenant_id = $1)::int c`,
      [T],
    );
    expect(counts.rows[0]).toEqual({ x: SQL_STRINGS.length, a: SQL_STRINGS.length, c: SQL_STRINGS.length });
  });

  it('when a string field holds NUL or an unpaired surrogate (text Postgres cannot store), then that event is rejected with RECSYS_EVENT_INVALID and the rest of the batch is stored — never a 500', async () => {
    const nul = String.fromCharCode(0);
    const unstorable = ['\uDFFF\uD800', '\uD800', `a${nul}b`];
    const base = { type: 'view', item_id: 'ok', occurred_at: at() };
    for (const bad of unstorable) {
      for (const field of ['surface', 'item_id', 'user_id', 'session_id', 'request_id', 'type']) {
        const res = await postJson(
          `${h.url}/v1/events/outcomes`,
          {
            events: [
              { ...base, event_id: `bad-${field}`, [field]: bad },
              { ...base, event_id: 'good-1' },
            ],
          },
          asService(T),
        );
        expect({ bad: JSON.stringify(bad), field, status: res.status }).toEqual({
          bad: JSON.stringify(bad),
          field,
          status: 200,
        });
        expect(res.body.results[0]).toMatchObject({ status: 'rejected', code: 'RECSYS_EVENT_INVALID' });
        expect(['accepted', 'duplicate']).toContain(res.body.results[1].status);
      }
      const exposure = await postJson(
        `${h.url}/v1/events/exposures`,
        {
          events: [
            {
              request_id: 'r-bad',
              surface: bad,
              segment: bad,
              occurred_at: at(),
              items: [],
              algo_version: 'a',
            },
          ],
        },
        asService(T),
      );
      expect(exposure.status).toBe(200);
      expect(exposure.body.results[0]).toMatchObject({ status: 'rejected', code: 'RECSYS_EVENT_INVALID' });
    }
  });

  it('when the JWKS host is not in AUTH_JWKS_ALLOWED_HOSTS, or the JWKS is plain http without the opt-in, then the ingest process refuses to start', async () => {
    const jwks = await startJwks({ audience: 'recsys-ingest' });
    try {
      const port = String(18000 + Math.floor(Math.random() * 1000));
      for (const unsafe of <Record<string, string>[]>[
        { AUTH_JWKS_ALLOWED_HOSTS: 'idp.example.com' },
        { AUTH_ALLOW_INSECURE_JWKS: 'false' },
      ]) {
        const { code, output } = await runServiceUntilExit(join(__dirname, '..'), {
          ...h.env,
          ...jwks.env,
          ...unsafe,
          INGEST_PORT: port,
          LOG_LEVEL: 'error',
        });
        expect({ unsafe, code, refused: /AuthConfigError|JWKS/.test(output) }).toEqual({
          unsafe,
          code: 1,
          refused: true,
        });
      }
    } finally {
      await jwks.close();
    }
  }, 120_000);
});

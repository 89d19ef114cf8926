import { createHash } from 'node:crypto';
import { keyFor, startAdmin, tenantWithKey, type TestAdmin } from './helpers.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('config and rules documents, cache invalidation, audit, runtime', () => {
  let admin: TestAdmin;
  let operator: string;
  let viewer: string;
  const h = (key: string, extra: Record<string, string> = {}) => ({ 'x-api-key': key, ...extra });

  beforeAll(async () => {
    admin = await startAdmin();
    operator = await tenantWithKey(admin, 'shop', ['operator']);
    viewer = await keyFor(admin, 'shop', ['viewer']);
  });
  afterAll(() => admin.close());

  it('when no config exists, then GET is 404 RECSYS_CONFIG_NOT_FOUND and If-Match on PUT is 409', async () => {
    const get = await admin.call('GET', '/v1/admin/tenants/shop/config', { headers: h(viewer) });
    expect(get.status).toBe(404);
    expect(get.body.code).toBe('RECSYS_CONFIG_NOT_FOUND');
    const rules = await admin.call('GET', '/v1/admin/tenants/shop/rules', { headers: h(viewer) });
    expect(rules.body.code).toBe('RECSYS_RULES_NOT_FOUND');
    const put = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator, { 'if-match': 'abc' }),
      body: { weights: { pop: 1 } },
    });
    expect(put.status).toBe(409);
    expect(put.body.code).toBe('RECSYS_VERSION_MISMATCH');
  });

  it('when a config is PUT, then the ETag is the sha256 of its canonical JSON, served unquoted, and key order does not matter', async () => {
    const config = {
      weights: { pop: 0.7, cooc: 0.2, emb: 0.1 },
      flags: { enable_rules: true },
      limits: { max_k: 50 },
    };
    const put = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator),
      body: config,
    });
    expect(put.status).toBe(200);
    const etag = sha(
      '{"flags":{"enable_rules":true},"limits":{"max_k":50},"weights":{"cooc":0.2,"emb":0.1,"pop":0.7}}',
    );
    expect(put.headers.get('etag')).toBe(etag);
    expect(put.body).toEqual({ tenant_id: 'shop', config_version: etag, config });
    const get = await admin.call('GET', '/v1/admin/tenants/shop/config', { headers: h(viewer) });
    expect(get.headers.get('etag')).toBe(etag);
    expect(get.body.config).toEqual(config);

    const before = (await admin.controlEvents()).length;
    const reordered = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator, { 'if-match': `"${etag}"` }),
      raw: '{"limits":{"max_k":50},"weights":{"emb":0.1,"cooc":0.2,"pop":0.7},"flags":{"enable_rules":true}}',
    });
    expect(reordered.status).toBe(200);
    expect(reordered.headers.get('etag')).toBe(etag);
    expect((await admin.controlEvents()).length).toBe(before);
    const audits = await admin.schema.query(
      "select count(*)::int as n from audit_log where action = 'config.update'",
    );
    expect(audits.rows[0].n).toBe(1);
  });

  it('when If-Match is stale, then 409 and nothing changes; a matching If-Match writes, and an old payload rolls back to its ETag', async () => {
    const v1 = (await admin.call('GET', '/v1/admin/tenants/shop/config', { headers: h(viewer) })).body
      .config_version;
    const v2 = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator, { 'if-match': v1 }),
      body: { weights: { pop: 1, cooc: 0.5 } },
    });
    expect(v2.status).toBe(200);
    const stale = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator, { 'if-match': v1 }),
      body: { weights: { pop: 2 } },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('RECSYS_VERSION_MISMATCH');
    const current = await admin.call('GET', '/v1/admin/tenants/shop/config', { headers: h(viewer) });
    expect(current.body.config_version).toBe(v2.body.config_version);

    const old = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator),
      body: {
        weights: { pop: 0.7, cooc: 0.2, emb: 0.1 },
        flags: { enable_rules: true },
        limits: { max_k: 50 },
      },
    });
    expect(old.body.config_version).toBe(v1);
    const versions = await admin.call('GET', '/v1/admin/tenants/shop/config/versions', {
      headers: h(viewer),
    });
    expect(versions.status).toBe(200);
    expect(versions.body.current_version).toBe(v1);
    expect(versions.body.versions).toHaveLength(2);
    expect(versions.body.versions.find((v: any) => v.current).version).toBe(v1);

    const rolled = await admin.call('POST', '/v1/admin/tenants/shop/config/rollback', {
      headers: h(operator),
      body: { version: v2.body.config_version },
    });
    expect(rolled.status).toBe(200);
    expect(rolled.headers.get('etag')).toBe(v2.body.config_version);
    expect(rolled.body.config).toEqual({ weights: { pop: 1, cooc: 0.5 } });
    const unknown = await admin.call('POST', '/v1/admin/tenants/shop/config/rollback', {
      headers: h(operator),
      body: { version: 'f'.repeat(64) },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('RECSYS_VERSION_NOT_FOUND');

    const actions = await admin.schema.query(
      "select action, extra->>'version' as version from audit_log where entity_type = 'tenant_config' order by id",
    );
    expect(actions.rows.map((r) => r.action)).toEqual([
      'config.update',
      'config.update',
      'config.update',
      'config.rollback',
    ]);
    const events = (await admin.controlEvents()).filter((e) => e.type === 'config.updated');
    expect(events.map((e) => e.payload.version)).toEqual(actions.rows.map((r) => r.version));
    expect(events[0]!.payload).toEqual({
      type: 'config.updated',
      tenant_id: 'shop',
      version: v1,
      at: expect.any(String),
    });
  });

  it('when the config is invalid, then 422 RECSYS_INVALID_CONFIG with a JSON pointer; malformed JSON is 400 with the same code', async () => {
    const cases: [unknown, string][] = [
      [{ weights: { pop: -1 } }, '/weights/pop'],
      [{ limits: { max_k: -5 } }, '/limits/max_k'],
      [{ algo: 'magic' }, '/algo'],
      [{ surfaces: { home: { weights: { emb: -0.1 } } } }, '/surfaces/home/weights/emb'],
      [
        {
          experiments: [
            { id: 'e', enabled: true, traffic_percent: 101, variants: [{ name: 'A', weight: 1 }] },
          ],
        },
        '/experiments/0/traffic_percent',
      ],
      [{ experiments: [{ id: 'e', enabled: true, variants: [] }] }, '/experiments/0/variants'],
      [[1, 2], ''],
    ];
    for (const [body, pointer] of cases) {
      const res = await admin.call('PUT', '/v1/admin/tenants/shop/config', { headers: h(operator), body });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('RECSYS_INVALID_CONFIG');
      expect(res.body.errors.map((e: any) => e.pointer)).toContain(pointer);
    }
    const malformed = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator),
      raw: '{"weights":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('RECSYS_INVALID_CONFIG');
    const empty = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator, { 'content-type': 'application/json' }),
    });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('RECSYS_INVALID_CONFIG');
  });

  it('when a document, name or surface holds a NUL or an unpaired surrogate (Postgres cannot store them), then 422/400 instead of a 500', async () => {
    const config = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator),
      body: { flags: { note: 'a\u0000b' } },
    });
    expect(config.status).toBe(422);
    expect(config.body.errors[0].pointer).toBe('/flags/note');
    const surrogate = await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator),
      raw: '{"flags":{"x":"\\uD800"}}',
    });
    expect(surrogate.status).toBe(422);
    expect(surrogate.body.errors[0].pointer).toBe('/flags/x');
    const badName = await admin.call('POST', '/v1/admin/tenants', {
      headers: admin.service,
      raw: '{"external_id":"t\\uDC00","display_name":"x"}',
    });
    expect(badName.status).toBe(400);
    const rules = await admin.call('PUT', '/v1/admin/tenants/shop/rules', {
      headers: h(operator),
      body: [{ id: 'x\u0000', action: 'block', target_type: 'item', item_ids: ['a'] }],
    });
    expect(rules.status).toBe(422);
    expect(rules.body.errors[0].pointer).toBe('/0/id');
    const surface = await admin.call('POST', '/v1/admin/tenants/shop/cache/invalidate', {
      headers: h(operator),
      body: { targets: ['config'], surface: 'a\u0000' },
    });
    expect(surface.status).toBe(400);
    const tenant = await admin.call('POST', '/v1/admin/tenants', {
      headers: admin.service,
      body: { external_id: 'has space', display_name: 'x' },
    });
    expect(tenant.status).toBe(400);
    expect(tenant.body.errors[0].pointer).toBe('/external_id');
  });

  it('when a config is dry-run, then the normalized document and warnings come back and nothing is saved', async () => {
    const current = (await admin.call('GET', '/v1/admin/tenants/shop/config', { headers: h(viewer) })).body;
    const res = await admin.call('POST', '/v1/admin/tenants/shop/config/validate', {
      headers: h(operator),
      body: {
        weights: { pop: 0, cooc: 0 },
        experiments: [{ id: 'e1', variants: [{ name: 'A', weight: 1 }] }],
        legacy: true,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(true);
    expect(res.body.config.experiments[0]).toMatchObject({ enabled: true, traffic_percent: 100 });
    expect(res.body.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('/legacy'), expect.stringContaining('/weights')]),
    );
    const after = (await admin.call('GET', '/v1/admin/tenants/shop/config', { headers: h(viewer) })).body;
    expect(after.config_version).toBe(current.config_version);
    const bad = await admin.call('POST', '/v1/admin/tenants/shop/rules/validate', {
      headers: h(operator),
      body: [{ action: 'pin', target_type: 'tag' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('RECSYS_INVALID_RULES');
    expect(bad.body.errors[0].pointer).toBe('/0/target_key');
    const viewerDry = await admin.call('POST', '/v1/admin/tenants/shop/rules/validate', {
      headers: h(viewer),
      body: [],
    });
    expect(viewerDry.status).toBe(403);
  });

  it('when rules are PUT as an array or {rules}, then they are stored verbatim with an ETag and a rules.updated event', async () => {
    const rules = [
      { action: 'pin', target_type: 'item', item_ids: ['item_1', 'item_2'], surface: 'home', priority: 10 },
      { action: 'block', target_type: 'tag', target_key: 'brand:nike' },
      {
        action: 'boost',
        target_type: 'category',
        target_key: 'shoes',
        boost_value: 0.5,
        starts_at: '2026-01-01T00:00:00Z',
        ends_at: '2036-01-01T00:00:00Z',
      },
    ];
    const put = await admin.call('PUT', '/v1/admin/tenants/shop/rules', {
      headers: h(operator),
      body: rules,
    });
    expect(put.status).toBe(200);
    expect(put.body.rules).toEqual(rules);
    expect(put.headers.get('etag')).toBe(put.body.rules_version);
    const dry = await admin.call('POST', '/v1/admin/tenants/shop/rules/validate', {
      headers: h(operator),
      body: { rules },
    });
    expect(dry.body.rules).toHaveLength(3);
    expect(dry.body.rules[0]).toMatchObject({ action: 'pin', item_ids: ['item_1', 'item_2'], enabled: true });
    const invalid = await admin.call('PUT', '/v1/admin/tenants/shop/rules', {
      headers: h(operator),
      body: '"text"',
    });
    expect(invalid.status).toBe(422);
    const stale = await admin.call('PUT', '/v1/admin/tenants/shop/rules', {
      headers: h(operator, { 'if-match': '"0000"' }),
      body: { rules: [] },
    });
    expect(stale.status).toBe(409);
    const events = (await admin.controlEvents()).filter((e) => e.type === 'rules.updated');
    expect(events.map((e) => e.payload.version)).toEqual([put.body.rules_version]);
  });

  it('when a cache invalidation is requested, then targets are normalised, persisted, audited and published', async () => {
    const res = await admin.call('POST', '/v1/admin/tenants/shop/cache/invalidate', {
      headers: h(operator),
      body: { targets: [' Config', 'rules', 'config'], surface: 'home' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenant_id: 'shop',
      targets: ['config', 'rules'],
      surface: 'home',
      status: 'applied',
    });
    const events = (await admin.controlEvents()).filter((e) => e.type === 'cache.invalidated');
    expect(events.at(-1)!.payload).toMatchObject({
      tenant_id: 'shop',
      targets: ['config', 'rules'],
      surface: 'home',
    });
    const row = await admin.schema.query('select targets, status from cache_invalidations');
    expect(row.rows).toEqual([{ targets: ['config', 'rules'], status: 'applied' }]);

    const empty = await admin.call('POST', '/v1/admin/tenants/shop/cache/invalidate', {
      headers: h(operator),
      body: { targets: [' '] },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('RECSYS_INVALID_TARGETS');
    const unknown = await admin.call('POST', '/v1/admin/tenants/shop/cache/invalidate', {
      headers: h(operator),
      body: { targets: ['everything'] },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('RECSYS_INVALID_TARGETS');
    const extra = await admin.call('POST', '/v1/admin/tenants/shop/cache/invalidate', {
      headers: h(operator),
      body: { targets: ['config'], tenant_id: 'shop' },
    });
    expect(extra.status).toBe(400);
    const missing = await admin.call('POST', '/v1/admin/tenants/nope/cache/invalidate', {
      headers: admin.service,
      body: { targets: ['config'] },
    });
    expect(missing.status).toBe(404);
    const byViewer = await admin.call('POST', '/v1/admin/tenants/shop/cache/invalidate', {
      headers: h(viewer),
      body: { targets: ['config'] },
    });
    expect(byViewer.status).toBe(403);
  });

  it('when the audit log is paged, then entries are newest first with a keyset cursor, and viewers see no before/after', async () => {
    const all = await admin.call('GET', '/v1/admin/tenants/shop/audit?limit=200', { headers: h(operator) });
    expect(all.status).toBe(200);
    const ids = all.body.entries.map((e: any) => e.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
    expect(all.body.entries[0]).toMatchObject({
      tenant_id: 'shop',
      action: 'cache.invalidate',
      actor_type: 'api_key',
    });
    expect(all.body.entries[0].actor_sub).toMatch(/^api-key:/);
    expect(all.body.entries[0].user_agent).toEqual(expect.any(String));
    expect(all.body.entries[0].ip).toEqual(expect.any(String));
    expect(all.body.entries[0].request_id).toEqual(expect.any(String));
    expect(all.body.entries.find((e: any) => e.action === 'config.update').after_state).toBeDefined();

    const pages: number[] = [];
    let query = 'limit=2';
    for (;;) {
      const page = await admin.call('GET', `/v1/admin/tenants/shop/audit?${query}`, { headers: h(viewer) });
      expect(page.status).toBe(200);
      for (const entry of page.body.entries) {
        expect(entry.before_state).toBeUndefined();
        expect(entry.after_state).toBeUndefined();
        pages.push(entry.id);
      }
      if (!page.body.next_before) break;
      query = `limit=2&before=${encodeURIComponent(page.body.next_before)}&before_id=${page.body.next_before_id}`;
    }
    expect(pages).toEqual(ids);

    for (const bad of ['limit=0', 'limit=abc', 'before=yesterday', 'before_id=-1']) {
      const res = await admin.call('GET', `/v1/admin/tenants/shop/audit?${bad}`, { headers: h(viewer) });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('RECSYS_INVALID_REQUEST');
    }
    const clamped = await admin.call('GET', '/v1/admin/tenants/shop/audit?limit=5000', {
      headers: h(viewer),
    });
    expect(clamped.status).toBe(200);
  });

  it('when audit rows are changed or deleted in Postgres, then the append-only trigger refuses', async () => {
    await expect(admin.schema.query("update audit_log set action = 'x'")).rejects.toThrow(/append-only/);
    await expect(admin.schema.query('delete from audit_log')).rejects.toThrow(/append-only/);
    await expect(admin.schema.query('delete from config_versions')).rejects.toThrow(/append-only/);
  });

  it('when serving asks for the runtime view, then it gets status, config and rules with an ETag and 304 on If-None-Match', async () => {
    const unauth = await admin.call('GET', '/internal/v1/tenants/shop/runtime', { headers: h(operator) });
    expect(unauth.status).toBe(401);
    const res = await admin.call('GET', '/internal/v1/tenants/shop/runtime', { headers: admin.service });
    expect(res.status).toBe(200);
    const config = await admin.call('GET', '/v1/admin/tenants/shop/config', { headers: h(viewer) });
    const rules = await admin.call('GET', '/v1/admin/tenants/shop/rules', { headers: h(viewer) });
    expect(res.body).toEqual({
      tenant: { id: expect.any(String), external_id: 'shop', status: 'active' },
      config: { version: config.body.config_version, document: config.body.config },
      rules: { version: rules.body.rules_version, document: rules.body.rules },
    });
    const etag = res.headers.get('etag')!;
    const again = await admin.call('GET', '/internal/v1/tenants/shop/runtime', {
      headers: { ...admin.service, 'if-none-match': `"${etag}"` },
    });
    expect(again.status).toBe(304);
    await admin.call('PUT', '/v1/admin/tenants/shop/rules', { headers: h(operator), body: [] });
    const changed = await admin.call('GET', '/internal/v1/tenants/shop/runtime', {
      headers: { ...admin.service, 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.rules.document).toEqual([]);
    const missing = await admin.call('GET', '/internal/v1/tenants/ghost/runtime', { headers: admin.service });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('RECSYS_TENANT_NOT_FOUND');
  });

  it('when config contains secret-looking keys, then the audit copy is redacted', async () => {
    await admin.call('PUT', '/v1/admin/tenants/shop/config', {
      headers: h(operator),
      body: { weights: { pop: 1 }, flags: { webhook_token: 'abc123' } },
    });
    const row = await admin.schema.query(
      "select after_state from audit_log where action = 'config.update' order by id desc limit 1",
    );
    expect(row.rows[0].after_state.flags.webhook_token).toBe('[redacted]');
  });
  it('when rules change over time, then the version history lists each distinct version newest first, ?limit pages it, and a named rollback (with If-Match) makes an earlier one current', async () => {
    const op = await tenantWithKey(admin, 'hist', ['operator']);
    const versions: string[] = [];
    for (const item of ['a', 'b', 'c']) {
      const put = await admin.call('PUT', '/v1/admin/tenants/hist/rules', {
        headers: h(op),
        body: [{ action: 'pin', target_type: 'item', item_ids: [item] }],
      });
      expect(put.status).toBe(200);
      versions.push(put.body.rules_version);
    }
    const list = await admin.call('GET', '/v1/admin/tenants/hist/rules/versions', { headers: h(op) });
    expect(list.status).toBe(200);
    expect(list.body.tenant_id).toBe('hist');
    expect(list.body.current_version).toBe(versions[2]);
    expect(list.body.versions.map((v: any) => v.version)).toEqual([...versions].reverse());
    expect(list.body.versions.map((v: any) => v.current)).toEqual([true, false, false]);
    expect(list.body.versions[0].created_by).toMatch(/^api-key:/);
    const limited = await admin.call('GET', '/v1/admin/tenants/hist/rules/versions?limit=1', {
      headers: h(op),
    });
    expect(limited.body.versions.map((v: any) => v.version)).toEqual([versions[2]]);

    const staleRollback = await admin.call('POST', '/v1/admin/tenants/hist/rules/rollback', {
      headers: h(op, { 'if-match': versions[1]! }),
      body: { version: versions[0] },
    });
    expect(staleRollback.status).toBe(409);
    expect(staleRollback.body.code).toBe('RECSYS_VERSION_MISMATCH');
    const rolled = await admin.call('POST', '/v1/admin/tenants/hist/rules/rollback', {
      headers: h(op, { 'if-match': `"${versions[2]}"` }),
      body: { version: versions[0]!.toUpperCase() },
    });
    expect(rolled.status).toBe(200);
    expect(rolled.headers.get('etag')).toBe(versions[0]);
    expect(rolled.body.rules).toEqual([{ action: 'pin', target_type: 'item', item_ids: ['a'] }]);
    const current = await admin.call('GET', '/v1/admin/tenants/hist/rules', { headers: h(op) });
    expect(current.body.rules_version).toBe(versions[0]);
    const after = await admin.call('GET', '/v1/admin/tenants/hist/rules/versions', { headers: h(op) });
    expect(after.body.current_version).toBe(versions[0]);
    expect(after.body.versions).toHaveLength(3);

    const audit = await admin.schema.query(
      `select a.action, a.extra->>'version' as version, a.extra->>'previous_version' as previous
         from audit_log a join tenants t on t.id = a.tenant_id
        where t.external_id = 'hist' and a.entity_type = 'tenant_rules' order by a.id`,
    );
    expect(audit.rows).toEqual([
      { action: 'rules.update', version: versions[0], previous: null },
      { action: 'rules.update', version: versions[1], previous: versions[0] },
      { action: 'rules.update', version: versions[2], previous: versions[1] },
      { action: 'rules.rollback', version: versions[0], previous: versions[2] },
    ]);
    const events = (await admin.controlEvents()).filter(
      (e) => e.type === 'rules.updated' && e.payload.tenant_id === 'hist',
    );
    expect(events.map((e) => e.payload.version)).toEqual([...versions, versions[0]]);

    const unknown = await admin.call('POST', '/v1/admin/tenants/hist/rules/rollback', {
      headers: h(op),
      body: { version: 'e'.repeat(64) },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('RECSYS_VERSION_NOT_FOUND');
    const badName = await admin.call('POST', '/v1/admin/tenants/hist/rules/rollback', {
      headers: h(op),
      body: { version: 'latest' },
    });
    expect(badName.status).toBe(400);
    expect(badName.body.errors[0].pointer).toBe('/version');
  });

  it('when a PUT carries If-None-Match: *, then it only creates: a first document is written, an existing one is refused with 409 and kept', async () => {
    const op = await tenantWithKey(admin, 'fresh', ['operator']);
    const created = await admin.call('PUT', '/v1/admin/tenants/fresh/config', {
      headers: h(op, { 'if-none-match': '*' }),
      body: { weights: { pop: 1 } },
    });
    expect(created.status).toBe(200);
    const again = await admin.call('PUT', '/v1/admin/tenants/fresh/config', {
      headers: h(op, { 'if-none-match': '*' }),
      body: { weights: { pop: 2 } },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RECSYS_VERSION_MISMATCH');
    const listed = await admin.call('PUT', '/v1/admin/tenants/fresh/config', {
      headers: h(op, { 'if-none-match': `"x", "${created.body.config_version}"` }),
      body: { weights: { pop: 2 } },
    });
    expect(listed.status).toBe(409);
    const other = await admin.call('PUT', '/v1/admin/tenants/fresh/config', {
      headers: h(op, { 'if-none-match': '"0000"' }),
      body: { weights: { pop: 3 } },
    });
    expect(other.status).toBe(200);
    const current = await admin.call('GET', '/v1/admin/tenants/fresh/config', { headers: h(op) });
    expect(current.body.config).toEqual({ weights: { pop: 3 } });
    const rules = await admin.call('PUT', '/v1/admin/tenants/fresh/rules', {
      headers: h(op, { 'if-none-match': '*' }),
      body: [],
    });
    expect(rules.status).toBe(200);
  });
});

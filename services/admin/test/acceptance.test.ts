import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAdminCommand } from '../src/cli/bootstrap-command.js';
import { runRecsys } from '../src/cli/operator.js';
import { documentEtag } from '../src/domain/etag.js';
import { SERVICE_TOKEN, startAdmin, type TestAdmin } from './helpers.js';

function capture() {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line), text: () => lines.join('\n') };
}

describe('acceptance: bootstrap → operator key → config and rules → audit → control events; recsys CLI', () => {
  let admin: TestAdmin;
  let dir: string;

  beforeAll(async () => {
    admin = await startAdmin();
    dir = await mkdtemp(join(tmpdir(), 'recsys-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await admin.close();
  });

  it('when a tenant is bootstrapped and operated with an operator key, then every write is versioned, audited and published', async () => {
    // Bootstrap from a clean database: tenant, default config, empty rules, and a first admin key printed once.
    const first = capture();
    expect(
      await runAdminCommand(['bootstrap', '--tenant', 'demo', '--name', 'Demo'], admin.deps, first.write),
    ).toBe(0);
    expect(first.text()).toContain('tenant "demo" created');
    const adminKey = /admin API key \(shown once; store it now\): (rk_\S+)/.exec(first.text())![1]!;
    const second = capture();
    expect(await runAdminCommand(['bootstrap', '--tenant', 'demo'], admin.deps, second.write)).toBe(0);
    expect(second.text()).toContain('tenant "demo" already exists');
    expect(second.text()).not.toContain('rk_');
    expect((await admin.schema.query('select count(*)::int as n from api_keys')).rows[0].n).toBe(1);

    // The admin key creates an operator key.
    const issued = await admin.call('POST', '/v1/admin/tenants/demo/keys', {
      headers: { 'x-api-key': adminKey },
      body: { name: 'merch', roles: ['operator'] },
    });
    expect(issued.status).toBe(201);
    const op = { 'x-api-key': issued.body.api_key as string };

    // PUT a config and a rules document with the operator key; read them back with their ETags.
    const bootConfig = await admin.call('GET', '/v1/admin/tenants/demo/config', { headers: op });
    const config = { weights: { pop: 0.7, cooc: 0.2, emb: 0.1 }, algo: 'blend', limits: { max_k: 50 } };
    const putConfig = await admin.call('PUT', '/v1/admin/tenants/demo/config', {
      headers: { ...op, 'if-match': `"${bootConfig.body.config_version}"` },
      body: config,
    });
    expect(putConfig.status).toBe(200);
    const rules = [{ action: 'pin', target_type: 'item', item_ids: ['i1'], surface: 'home', priority: 5 }];
    const putRules = await admin.call('PUT', '/v1/admin/tenants/demo/rules', { headers: op, body: rules });
    expect(putRules.status).toBe(200);
    const readConfig = await admin.call('GET', '/v1/admin/tenants/demo/config', { headers: op });
    const readRules = await admin.call('GET', '/v1/admin/tenants/demo/rules', { headers: op });
    expect(readConfig.headers.get('etag')).toBe(putConfig.body.config_version);
    expect(readConfig.body.config).toEqual(config);
    expect(readRules.headers.get('etag')).toBe(putRules.body.rules_version);
    expect(readRules.body.rules).toEqual(rules);

    // A stale If-Match is refused.
    const stale = await admin.call('PUT', '/v1/admin/tenants/demo/config', {
      headers: { ...op, 'if-match': bootConfig.body.config_version },
      body: { weights: { pop: 1 } },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('RECSYS_VERSION_MISMATCH');

    // Every write is in the audit log (API and Postgres) …
    const audit = await admin.call('GET', '/v1/admin/tenants/demo/audit', { headers: op });
    const actions = audit.body.entries.map((e: any) => e.action).reverse();
    expect(actions).toEqual([
      'tenant.create',
      'config.update',
      'rules.update',
      'key.create',
      'key.create',
      'config.update',
      'rules.update',
    ]);
    const rows = await admin.schema.query(
      "select actor_sub, action from audit_log where action in ('config.update', 'rules.update') order by id",
    );
    expect(rows.rows.slice(2).every((r) => r.actor_sub === `api-key:${issued.body.key.id}`)).toBe(true);

    // … and on the control stream in Redis.
    const events = await admin.controlEvents();
    expect(events.map((e) => [e.type, e.payload.version])).toEqual([
      ['config.updated', bootConfig.body.config_version],
      ['rules.updated', expect.any(String)],
      ['config.updated', putConfig.body.config_version],
      ['rules.updated', putRules.body.rules_version],
    ]);
    expect(events.every((e) => e.payload.tenant_id === 'demo' && e.type === e.payload.type)).toBe(true);

    // A revoked key is refused by verify at once.
    await admin.call('POST', `/v1/admin/tenants/demo/keys/${issued.body.key.id}/revoke`, {
      headers: { 'x-api-key': adminKey },
    });
    const verify = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: issued.body.api_key },
    });
    expect(verify.status).toBe(401);
  });

  it('when an operator uses recsys export/plan/apply, then plan is empty on an unchanged dir, shows a diff after an edit, apply makes it live, and a concurrent edit is refused', async () => {
    const issued = await admin.call('POST', '/v1/admin/tenants/demo/keys', {
      headers: admin.service,
      body: { name: 'cli', roles: ['operator'] },
    });
    const out = capture();
    const err = capture();
    const io = {
      env: { RECSYS_ADMIN_URL: admin.url, RECSYS_API_KEY: issued.body.api_key },
      out: out.write,
      err: err.write,
    };

    expect(await runRecsys(['export', '--tenant', 'demo', '--dir', dir], io)).toBe(0);
    expect(await readFile(join(dir, 'config.yaml'), 'utf8')).toContain('pop: 0.7');
    expect(await readFile(join(dir, 'recsys.yaml'), 'utf8')).toContain('tenant: demo');

    out.lines.length = 0;
    expect(await runRecsys(['plan', '--dir', dir], io)).toBe(0);
    expect(out.text()).toContain('plan: no changes');

    const configFile = join(dir, 'config.yaml');
    await writeFile(configFile, (await readFile(configFile, 'utf8')).replace('pop: 0.7', 'pop: 0.5'));
    out.lines.length = 0;
    expect(await runRecsys(['diff', '--dir', dir], io)).toBe(2);
    expect(out.text()).toContain('-   pop: 0.7');
    expect(out.text()).toContain('+   pop: 0.5');
    expect(out.text()).toContain('rules: no changes');

    // Someone edits the live config after the plan: apply is refused and their edit survives.
    const live = await admin.call('GET', '/v1/admin/tenants/demo/config', { headers: admin.service });
    const concurrent = { ...live.body.config, algo: 'popularity' };
    await admin.call('PUT', '/v1/admin/tenants/demo/config', { headers: admin.service, body: concurrent });
    err.lines.length = 0;
    expect(await runRecsys(['apply', '--dir', dir], io)).toBe(1);
    expect(err.text()).toContain('409');
    const after = await admin.call('GET', '/v1/admin/tenants/demo/config', { headers: admin.service });
    expect(after.body.config).toEqual(concurrent);

    // Re-plan against the new live version, apply, and the next plan is empty.
    expect(await runRecsys(['plan', '--dir', dir], io)).toBe(2);
    out.lines.length = 0;
    expect(await runRecsys(['apply', '--dir', dir], io)).toBe(0);
    expect(out.text()).toContain('config: applied version');
    const applied = await admin.call('GET', '/v1/admin/tenants/demo/config', { headers: admin.service });
    expect(applied.body.config.weights.pop).toBe(0.5);
    expect(applied.body.config.algo).toBe('blend');
    expect((await admin.controlEvents()).at(-1)).toEqual({
      type: 'config.updated',
      payload: expect.objectContaining({ tenant_id: 'demo', version: applied.body.config_version }),
    });
    const appliedBy = await admin.schema.query(
      "select actor_sub, extra->>'version' as version from audit_log where action = 'config.update' order by id desc limit 1",
    );
    expect(appliedBy.rows[0]).toEqual({
      actor_sub: `api-key:${issued.body.key.id}`,
      version: applied.body.config_version,
    });
    out.lines.length = 0;
    expect(await runRecsys(['plan', '--dir', dir], io)).toBe(0);
    expect(out.text()).toContain('plan: no changes');

    // JSON files are accepted too, and errors from the service are shown with their pointer.
    await rm(join(dir, 'rules.yaml'));
    await writeFile(
      join(dir, 'rules.json'),
      JSON.stringify([{ action: 'boost', target_type: 'tag', target_key: 'x' }]),
    );
    err.lines.length = 0;
    expect(await runRecsys(['plan', '--dir', dir], io)).toBe(1);
    expect(err.text()).toContain('RECSYS_INVALID_RULES');
    expect(err.text()).toContain('/0/boost_value');
    expect(await runRecsys(['plan', '--dir', dir, '--api-key', 'rk_bad'], io)).toBe(1);
    expect(await runRecsys(['bogus', '--dir', dir], io)).toBe(64);
  });

  it('when the recsys-admin bin runs bootstrap twice, then the first prints a key and the second none', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--conditions=source', '--import', 'tsx', 'src/cli.ts', ...args],
          {
            cwd: `${__dirname}/..`,
            env: {
              ...process.env,
              DATABASE_URL: admin.schema.url,
              ADMIN_DB_SCHEMA: admin.schema.schema,
              REDIS_URL: admin.redis.url,
              REDIS_KEY_PREFIX: admin.redis.prefix,
              SERVICE_TOKEN,
              API_KEY_HASH_SECRET: 'test-hash-secret-0123456789',
              LOG_LEVEL: 'silent',
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let stdout = '';
        child.stdout.on('data', (chunk) => (stdout += String(chunk)));
        child.on('exit', (code) => resolve({ code, stdout }));
      });
    const first = await run(['bootstrap', '--tenant', 'cli-tenant']);
    expect(first.code).toBe(0);
    const key = /(rk_[0-9a-f]{12}_\S+)/.exec(first.stdout)![1]!;
    const verify = await admin.call('POST', '/internal/v1/keys/verify', {
      headers: admin.service,
      body: { api_key: key },
    });
    expect(verify.body).toMatchObject({ tenant_id: 'cli-tenant', roles: ['admin'] });
    const second = await run(['bootstrap', '--tenant', 'cli-tenant']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already exists');
    expect(second.stdout).not.toMatch(/rk_/);
    const third = capture();
    expect(
      await runAdminCommand(['bootstrap', '--tenant', 'cli-tenant', '--new-key'], admin.deps, third.write),
    ).toBe(0);
    expect(third.text()).toMatch(/rk_[0-9a-f]{12}_/);
    const events = (await admin.controlEvents()).filter((e) => e.payload.tenant_id === 'cli-tenant');
    expect(events.map((e) => e.type)).toEqual(['config.updated', 'rules.updated']);
  }, 180_000);
  it('when a rules file is edited, then plan shows its diff and exits 2, apply makes it live, and the next plan is empty; the recsys bin agrees', async () => {
    const issued = await admin.call('POST', '/v1/admin/tenants/demo/keys', {
      headers: admin.service,
      body: { name: 'cli-rules', roles: ['operator'] },
    });
    const out = capture();
    const io = {
      env: { RECSYS_ADMIN_URL: admin.url, RECSYS_API_KEY: issued.body.api_key },
      out: out.write,
      err: capture().write,
    };
    const rulesDir = await mkdtemp(join(tmpdir(), 'recsys-rules-'));
    try {
      const scheduled = [
        {
          action: 'boost',
          target_type: 'brand',
          target_key: 'acme',
          boost_value: 1.5,
          starts_at: '2030-01-01T00:00:00Z',
          ends_at: '2030-02-01T00:00:00.250Z',
        },
      ];
      await admin.call('PUT', '/v1/admin/tenants/demo/rules', { headers: admin.service, body: scheduled });
      expect(await runRecsys(['export', '--tenant', 'demo', '--dir', rulesDir], io)).toBe(0);
      // Timestamps survive the YAML round trip as strings: an exported dir is unchanged.
      out.lines.length = 0;
      expect(await runRecsys(['plan', '--dir', rulesDir], io)).toBe(0);
      expect(out.text()).toContain('rules: no changes');

      const rulesFile = join(rulesDir, 'rules.yaml');
      await writeFile(
        rulesFile,
        (await readFile(rulesFile, 'utf8')).replace('boost_value: 1.5', 'boost_value: 3'),
      );
      out.lines.length = 0;
      expect(await runRecsys(['plan', '--dir', rulesDir], io)).toBe(2);
      expect(out.text()).toContain('-   boost_value: 1.5');
      expect(out.text()).toContain('+   boost_value: 3');
      expect(out.text()).toContain('config: no changes');
      expect(await runRecsys(['apply', '--dir', rulesDir], io)).toBe(0);
      const live = await admin.call('GET', '/v1/admin/tenants/demo/rules', { headers: admin.service });
      expect(live.body.rules).toEqual([{ ...scheduled[0], boost_value: 3 }]);

      const bin = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--conditions=source', '--import', 'tsx', 'src/cli/recsys.ts', 'plan', '--dir', rulesDir],
          {
            cwd: `${__dirname}/..`,
            env: { ...process.env, RECSYS_ADMIN_URL: admin.url, RECSYS_API_KEY: issued.body.api_key },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let stdout = '';
        child.stdout.on('data', (chunk) => (stdout += String(chunk)));
        child.on('exit', (code) => resolve({ code, stdout }));
      });
      expect(bin.code).toBe(0);
      expect(bin.stdout).toContain('plan: no changes');
    } finally {
      await rm(rulesDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('when apply creates a document the tenant did not have, then it sends If-None-Match: * so one created concurrently is refused, never overwritten', async () => {
    const created = await admin.call('POST', '/v1/admin/tenants', {
      headers: admin.service,
      body: { external_id: 'blank', display_name: 'Blank' },
    });
    expect(created.status).toBe(201);
    const issued = await admin.call('POST', '/v1/admin/tenants/blank/keys', {
      headers: admin.service,
      body: { name: 'cli', roles: ['operator'] },
    });
    const blankDir = await mkdtemp(join(tmpdir(), 'recsys-blank-'));
    const theirs = [{ action: 'block', target_type: 'tag', target_key: 'theirs' }];
    const ours = documentEtag([{ action: 'block', target_type: 'tag', target_key: 'ours' }]);
    try {
      await writeFile(join(blankDir, 'recsys.yaml'), 'tenant: blank\n');
      await writeFile(
        join(blankDir, 'rules.yaml'),
        '- action: block\n  target_type: tag\n  target_key: ours\n',
      );
      // Someone else creates the rules between apply's read and its write.
      let raced = false;
      const racingFetch: typeof fetch = async (input, init) => {
        if (init?.method === 'PUT' && !raced) {
          raced = true;
          const theirPut = await admin.call('PUT', '/v1/admin/tenants/blank/rules', {
            headers: admin.service,
            body: theirs,
          });
          expect(theirPut.status).toBe(200);
        }
        return fetch(input, init);
      };
      const out = capture();
      const err = capture();
      const io = {
        env: { RECSYS_ADMIN_URL: admin.url, RECSYS_API_KEY: issued.body.api_key },
        out: out.write,
        err: err.write,
        fetch: racingFetch,
      };
      expect(await runRecsys(['plan', '--dir', blankDir], { ...io, fetch: undefined })).toBe(2);
      expect(out.text()).toContain('rules: changes for tenant blank (live (none)');
      await rm(join(blankDir, '.recsys-plan.json'));
      expect(await runRecsys(['apply', '--dir', blankDir], io)).toBe(1);
      expect(raced).toBe(true);
      expect(err.text()).toContain('409');
      const live = await admin.call('GET', '/v1/admin/tenants/blank/rules', { headers: admin.service });
      expect(live.body.rules).toEqual(theirs);

      // With a saved plan that saw no rules, a document created since is refused before any write.
      await writeFile(
        join(blankDir, 'rules.yaml'),
        '- action: block\n  target_type: tag\n  target_key: ours\n',
      );
      await writeFile(
        join(blankDir, '.recsys-plan.json'),
        JSON.stringify({
          tenant: 'blank',
          documents: { rules: { base_version: null, desired_version: ours } },
        }),
      );
      err.lines.length = 0;
      expect(await runRecsys(['apply', '--dir', blankDir], { ...io, fetch: undefined })).toBe(1);
      expect(err.text()).toContain('rules: refused — a live rules was created since plan');
      expect(
        (await admin.call('GET', '/v1/admin/tenants/blank/rules', { headers: admin.service })).body.rules,
      ).toEqual(theirs);

      // When the desired content is already live (someone applied the same), apply reports no changes.
      await writeFile(join(blankDir, 'rules.json'), JSON.stringify(theirs));
      await rm(join(blankDir, 'rules.yaml'));
      await rm(join(blankDir, '.recsys-plan.json'));
      out.lines.length = 0;
      expect(await runRecsys(['apply', '--dir', blankDir], { ...io, fetch: undefined })).toBe(0);
      expect(out.text()).toContain('rules: no changes');
      expect(out.text()).toContain('apply: nothing to change');
    } finally {
      await rm(blankDir, { recursive: true, force: true });
    }
  });

  it('when a tenant created through the API (no key yet) is bootstrapped, then it gets its default documents and a first admin key, once', async () => {
    const created = await admin.call('POST', '/v1/admin/tenants', {
      headers: admin.service,
      body: { external_id: 'api-made', display_name: 'API made' },
    });
    expect(created.status).toBe(201);
    const first = capture();
    expect(await runAdminCommand(['bootstrap', '--tenant', 'api-made'], admin.deps, first.write)).toBe(0);
    expect(first.text()).toContain('tenant "api-made" already exists');
    const key = /admin API key \(shown once; store it now\): (rk_\S+)/.exec(first.text())![1]!;
    const config = await admin.call('GET', '/v1/admin/tenants/api-made/config', {
      headers: { 'x-api-key': key },
    });
    expect(config.status).toBe(200);
    expect(config.body.config).toEqual({
      algo: 'blend',
      weights: { pop: 1, cooc: 0, emb: 0 },
      flags: {},
      limits: { max_k: 200, max_exclude_ids: 200 },
    });
    const rules = await admin.call('GET', '/v1/admin/tenants/api-made/rules', {
      headers: { 'x-api-key': key },
    });
    expect(rules.body.rules).toEqual([]);
    const second = capture();
    expect(await runAdminCommand(['bootstrap', '--tenant', 'api-made'], admin.deps, second.write)).toBe(0);
    expect(second.text()).not.toMatch(/rk_/);
    expect(second.text()).toContain('no new API key created');
    const keys = await admin.schema.query(
      "select count(*)::int as n from api_keys k join tenants t on t.id = k.tenant_id where t.external_id = 'api-made'",
    );
    expect(keys.rows[0].n).toBe(1);
    const audit = await admin.schema.query(
      "select a.action, a.actor_sub, a.actor_type from audit_log a join tenants t on t.id = a.tenant_id where t.external_id = 'api-made' order by a.id",
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'tenant.create',
      'config.update',
      'rules.update',
      'key.create',
    ]);
    expect(
      audit.rows.slice(1).every((r) => r.actor_sub === 'cli:bootstrap' && r.actor_type === 'system'),
    ).toBe(true);

    // Concurrent bootstraps of a new tenant issue exactly one first key.
    const outs = [capture(), capture(), capture()];
    await Promise.all(
      outs.map((o) => runAdminCommand(['bootstrap', '--tenant', 'racy'], admin.deps, o.write)),
    );
    expect(outs.filter((o) => /rk_[0-9a-f]{12}_/.test(o.text()))).toHaveLength(1);
    expect(outs.filter((o) => o.text().includes('created ('))).toHaveLength(1);
    const racyKeys = await admin.schema.query(
      "select count(*)::int as n from api_keys k join tenants t on t.id = k.tenant_id where t.external_id = 'racy'",
    );
    expect(racyKeys.rows[0].n).toBe(1);
  });
});

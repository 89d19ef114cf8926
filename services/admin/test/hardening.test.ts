/**
 * Admin's input safety beyond the tenancy matrix: surface and segment names in config (per-surface
 * overrides, experiments) and rules become parts of keys and manifest paths downstream, so path traversal in
 * them is refused before anything is stored; and the internal endpoints take only the service token.
 */
import {
  callOperation,
  exampleOf,
  internalOperations,
  loadOpenApi,
  PATH_TRAVERSAL_STRINGS,
} from '@recsys/testing';
import { startAdmin, tenantWithKey, type TestAdmin } from './helpers.js';

describe('admin input safety', () => {
  let admin: TestAdmin;
  let operator: string;
  let adminKey: string;
  /** Values refused as a surface or segment: traversal, separators, NUL, dot names. */
  const bad = PATH_TRAVERSAL_STRINGS.filter(
    (v) => /^\.{1,2}$/.test(v) || /[/\\]/.test(v) || v.includes('\u0000'),
  );

  beforeAll(async () => {
    admin = await startAdmin();
    operator = await tenantWithKey(admin, 'pathco', ['operator']);
    adminKey = await tenantWithKey(admin, 'pathco', ['admin']);
  });

  afterAll(async () => {
    await admin.close();
  });

  it('when a surface or segment in config or rules carries path traversal, then PUT and validate refuse it with 4xx and nothing is stored', async () => {
    expect(bad.length).toBeGreaterThanOrEqual(8);
    const h = { 'x-api-key': operator };
    const documents = (value: string) => ({
      config: [
        { weights: { pop: 1 }, surfaces: { [value]: { weights: { pop: 2 } } } },
        {
          weights: { pop: 1 },
          experiments: [{ id: 'e1', surface: value, variants: [{ name: 'a', weight: 1 }] }],
        },
      ],
      rules: [
        [{ action: 'block', target_type: 'item', item_ids: ['x'], surface: value }],
        [{ action: 'block', target_type: 'item', item_ids: ['x'], segment: value }],
      ],
    });
    const cells: { value: string; path: string; status: number }[] = [];
    for (const value of bad) {
      const docs = documents(value);
      for (const [kind, list] of Object.entries(docs)) {
        for (const body of list) {
          for (const [method, path] of [
            ['PUT', `/v1/admin/tenants/pathco/${kind}`],
            ['POST', `/v1/admin/tenants/pathco/${kind}/validate`],
          ] as const) {
            const res = await admin.call(method, path, { headers: h, body });
            cells.push({ value, path: `${method} ${path}`, status: res.status });
          }
        }
      }
    }
    expect(cells.filter((c) => c.status < 400 || c.status >= 500)).toEqual([]);
    expect(cells.length).toBe(bad.length * 8);
    expect((await admin.call('GET', '/v1/admin/tenants/pathco/config', { headers: h })).status).toBe(404);
    expect((await admin.call('GET', '/v1/admin/tenants/pathco/rules', { headers: h })).status).toBe(404);
    // Positive control: the same documents with a plain surface are accepted.
    const good = documents('home');
    expect(
      (await admin.call('PUT', '/v1/admin/tenants/pathco/config', { headers: h, body: good.config[0] }))
        .status,
    ).toBe(200);
    expect(
      (await admin.call('PUT', '/v1/admin/tenants/pathco/rules', { headers: h, body: good.rules[0] })).status,
    ).toBe(200);
  });

  it('when an internal endpoint is called with a tenant credential (even an admin key of the tenant it names), then 401/403 — only the service token passes', async () => {
    const document = loadOpenApi('admin');
    const ops = internalOperations(document);
    expect(ops.length).toBeGreaterThanOrEqual(2);
    const cells: { op: string; as: string; status: number }[] = [];
    for (const op of ops) {
      const body = op.bodySchema ? exampleOf(document, op.bodySchema) : undefined;
      const asCallers: Record<string, Record<string, string>> = {
        'admin key': { 'x-api-key': adminKey },
        'admin key + X-Org-Id': { 'x-api-key': adminKey, 'x-org-id': 'pathco' },
        'wrong service token': { 'x-service-token': `${admin.service['x-service-token']}x` },
        none: {},
      };
      for (const [as, headers] of Object.entries(asCallers)) {
        const res = await callOperation(admin.url, op, {
          pathParams: { tenant_id: 'pathco' },
          headers,
          body,
        });
        cells.push({ op: op.key, as, status: res.status });
      }
      const ok = await callOperation(admin.url, op, {
        pathParams: { tenant_id: 'pathco' },
        headers: admin.service,
        body: op.path.endsWith('/verify') ? { api_key: adminKey } : body,
      });
      expect({ op: op.key, status: ok.status }).toEqual({ op: op.key, status: 200 });
    }
    expect(cells.filter((c) => c.status !== 401 && c.status !== 403)).toEqual([]);
    expect(cells.length).toBe(ops.length * 4);
  });
});

/**
 * A small stand-in for admin's internal contract (team brief, wire shape 1): `GET /internal/v1/tenants/{t}/runtime`
 * with ETag / If-None-Match, and `POST /internal/v1/keys/verify`. State is set by the test.
 */
import { createHash } from 'node:crypto';
import express from 'express';
import { serve } from '@recsys/testing';

export interface StubTenant {
  status: 'active' | 'disabled';
  config?: { version: string; document: unknown } | null;
  rules?: { version: string; document: unknown } | null;
}

export interface AdminStub {
  url: string;
  tenants: Map<string, StubTenant>;
  keys: Map<string, { key_id: string; tenant_id: string; roles: string[] }>;
  /** Runtime requests, those answered 304 Not Modified (If-None-Match matched), key verifications. */
  calls: { runtime: number; notModified: number; verify: number };
  /** Simulates admin being down (every call 503). */
  down: boolean;
  /** Delay before answering runtime requests (slow admin). */
  delayMs: number;
  close: () => Promise<void>;
}

export async function startAdminStub(token: string): Promise<AdminStub> {
  const state: Omit<AdminStub, 'url' | 'close'> = {
    tenants: new Map(),
    keys: new Map(),
    calls: { runtime: 0, notModified: 0, verify: 0 },
    down: false,
    delayMs: 0,
  };
  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    if (state.down) return res.status(503).json({ code: 'RECSYS_UNAVAILABLE' });
    if (req.get('x-service-token') !== token) return res.status(401).json({ code: 'RECSYS_AUTH_INVALID' });
    next();
  });
  app.get('/internal/v1/tenants/:tenant/runtime', async (req, res) => {
    state.calls.runtime++;
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    const tenant = state.tenants.get(req.params.tenant);
    if (!tenant) {
      return res
        .status(404)
        .type('application/problem+json')
        .send(JSON.stringify({ code: 'RECSYS_TENANT_NOT_FOUND' }));
    }
    const body = {
      tenant: {
        id: '00000000-0000-4000-8000-000000000001',
        external_id: req.params.tenant,
        status: tenant.status,
      },
      config: tenant.config ?? null,
      rules: tenant.rules ?? null,
    };
    const etag = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    if (req.get('if-none-match') === etag) {
      state.calls.notModified++;
      return res.status(304).end();
    }
    res.setHeader('ETag', etag);
    res.json(body);
  });
  app.post('/internal/v1/keys/verify', (req, res) => {
    state.calls.verify++;
    const key = state.keys.get(req.body?.api_key);
    if (!key)
      return res
        .status(401)
        .type('application/problem+json')
        .send(JSON.stringify({ code: 'RECSYS_AUTH_INVALID' }));
    if (state.tenants.get(key.tenant_id)?.status === 'disabled') {
      return res
        .status(403)
        .type('application/problem+json')
        .send(JSON.stringify({ code: 'RECSYS_TENANT_DISABLED', detail: 'tenant disabled' }));
    }
    res.json({ ...key, expires_at: null });
  });
  const http = await serve(app);
  const stub = state as AdminStub;
  stub.url = http.url;
  stub.close = http.close;
  return stub;
}

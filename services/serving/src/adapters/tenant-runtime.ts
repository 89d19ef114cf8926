import { normalizeRules, TenantRuntime, type TenantConfig } from '@recsys/contracts-admin';
import type { InternalClient } from '@recsys/platform/internal-http';
import type { Logger } from '@recsys/platform/logger';
import type { Rule } from '../domain/ranking/types.js';
import { toEngineRules } from '../domain/rules.js';
import { servingProblems } from '../errors.js';
import type { ServingMetrics } from '../metrics.js';

/** What serving needs of a tenant on every request, fetched from admin and cached. */
export interface RuntimeView {
  status: 'active' | 'disabled';
  config: { version: string; document: TenantConfig } | null;
  rules: { version: string; rules: Rule[] } | null;
}

interface Entry {
  view: RuntimeView | null;
  /** null view: admin said 404. */
  etag?: string;
  fetchedAt: number;
  refreshing?: Promise<void>;
}

export interface RuntimeResult {
  view: RuntimeView;
  warnings: { code: string; detail: string }[];
}

const DEFAULT_VIEW: RuntimeView = { status: 'active', config: null, rules: null };
const NOT_FOUND_TTL_MS = 5000;
const FAILURE_BACKOFF_MS = 1000;

/**
 * Tenant status, config and rules from admin's `GET /internal/v1/tenants/{t}/runtime`, cached per tenant
 * for ttlMs and revalidated with If-None-Match. Control events invalidate entries (or flip a tenant to
 * disabled at once). While admin is unreachable the last good view is served; a tenant never seen before
 * gets the default config with a CONFIG_UNAVAILABLE warning rather than an error.
 */
export class TenantRuntimeCache {
  private readonly entries = new Map<string, Entry>();
  private lastFailureAt = 0;
  private lastError: string | undefined;

  constructor(
    private readonly client: InternalClient,
    private readonly metrics: ServingMetrics,
    private readonly logger: Logger,
    private readonly ttlMs: number,
    private readonly timeoutMs: number,
  ) {}

  async get(tenantId: string, requestId?: string): Promise<RuntimeResult> {
    let entry = this.entries.get(tenantId);
    const now = Date.now();
    const ttl = entry && entry.view === null ? NOT_FOUND_TTL_MS : this.ttlMs;
    if (entry && now - entry.fetchedAt < ttl) {
      this.metrics.cache.inc({ cache: 'tenant_runtime', result: 'hit' });
      return this.answer(tenantId, entry);
    }
    this.metrics.cache.inc({ cache: 'tenant_runtime', result: 'miss' });
    if (entry?.view) {
      // Stale-while-revalidate: the request proceeds with the cached view.
      void this.refresh(tenantId, requestId);
      return this.answer(tenantId, entry);
    }
    await this.refresh(tenantId, requestId);
    entry = this.entries.get(tenantId);
    if (!entry) {
      return {
        view: DEFAULT_VIEW,
        warnings: [
          {
            code: 'CONFIG_UNAVAILABLE',
            detail: `tenant config unavailable (${this.lastError ?? 'admin unreachable'}); defaults applied`,
          },
        ],
      };
    }
    return this.answer(tenantId, entry);
  }

  /** Drops the cached view's freshness so the next request revalidates (keeps it as the fallback). */
  invalidate(tenantId: string): void {
    const entry = this.entries.get(tenantId);
    if (entry) entry.fetchedAt = 0;
  }

  /** config.updated / rules.updated: revalidate now so the next request sees the new version. */
  revalidate(tenantId: string): Promise<void> {
    this.invalidate(tenantId);
    return this.entries.has(tenantId) ? this.refresh(tenantId) : Promise.resolve();
  }

  /** tenant.disabled: refuse at once, then confirm with admin in the background. */
  markDisabled(tenantId: string): void {
    const entry = this.entries.get(tenantId);
    if (entry?.view) entry.view = { ...entry.view, status: 'disabled' };
    else this.entries.set(tenantId, { view: { ...DEFAULT_VIEW, status: 'disabled' }, fetchedAt: Date.now() });
  }

  clear(): void {
    this.entries.clear();
  }

  /** Readiness detail for the admin dependency (optional: serving keeps going on cached config). */
  health(): { status: 'ok' | 'degraded'; detail: string } {
    if (this.lastFailureAt && Date.now() - this.lastFailureAt < 30_000) {
      return { status: 'degraded', detail: `admin unreachable: ${this.lastError}; using cached config` };
    }
    return { status: 'ok', detail: `${this.entries.size} tenant(s) cached` };
  }

  private answer(tenantId: string, entry: Entry): RuntimeResult {
    if (!entry.view) throw servingProblems.tenantNotFound(tenantId);
    if (entry.view.status === 'disabled') throw servingProblems.tenantDisabled(tenantId);
    return { view: entry.view, warnings: [] };
  }

  private refresh(tenantId: string, requestId?: string): Promise<void> {
    const existing = this.entries.get(tenantId);
    if (existing?.refreshing) return existing.refreshing;
    if (!existing?.view && Date.now() - this.lastFailureAt < FAILURE_BACKOFF_MS) return Promise.resolve();
    const promise = this.fetch(tenantId, existing, requestId).finally(() => {
      const entry = this.entries.get(tenantId);
      if (entry) entry.refreshing = undefined;
    });
    if (existing) existing.refreshing = promise;
    return promise;
  }

  private async fetch(tenantId: string, existing: Entry | undefined, requestId?: string): Promise<void> {
    try {
      const response = await this.client.request<unknown>(
        'GET',
        `/internal/v1/tenants/${encodeURIComponent(tenantId)}/runtime`,
        {
          timeoutMs: this.timeoutMs,
          ...(requestId ? { requestId } : {}),
          headers: existing?.view && existing.etag ? { 'If-None-Match': existing.etag } : {},
        },
      );
      if (response.status === 304 && existing) {
        existing.fetchedAt = Date.now();
        this.lastFailureAt = 0;
        return;
      }
      if (response.status === 404) {
        this.entries.set(tenantId, { view: null, fetchedAt: Date.now() });
        this.lastFailureAt = 0;
        return;
      }
      if (response.status !== 200) throw new Error(`admin answered ${response.status}`);
      const parsed = TenantRuntime.parse(response.body);
      const view: RuntimeView = {
        status: parsed.tenant.status,
        config: parsed.config ? { version: parsed.config.version, document: parsed.config.document } : null,
        rules: parsed.rules
          ? { version: parsed.rules.version, rules: toEngineRules(normalizeRules(parsed.rules.document)) }
          : null,
      };
      this.entries.set(tenantId, {
        view,
        etag: response.headers.get('etag') ?? undefined,
        fetchedAt: Date.now(),
      });
      this.lastFailureAt = 0;
    } catch (error) {
      this.lastFailureAt = Date.now();
      this.lastError = error instanceof Error ? error.message : String(error);
      this.logger.warn({ err: error, tenant: tenantId }, 'tenant runtime fetch failed; using last good view');
    }
  }
}

/**
 * "Unknown tenant" check. An API key proves its tenant (admin verified it and refuses keys of disabled
 * tenants). Other credentials (JWT, service token, dev) only name a tenant, so ingest asks admin's
 * `GET /internal/v1/tenants/{id}/runtime` and caches the answer; control events drop cached answers.
 */
import type { Principal } from '@recsys/platform/auth';
import type { InternalClient } from '@recsys/platform/internal-http';
import { AppError, problems } from '@recsys/platform/problem';

export const TenantCodes = {
  /** The tenant named by the request does not exist. */
  TENANT_NOT_FOUND: 'RECSYS_TENANT_NOT_FOUND',
  /** The tenant exists but is disabled. */
  TENANT_DISABLED: 'RECSYS_TENANT_DISABLED',
} as const;

type Answer = 'active' | 'disabled' | 'missing';

export class TenantGate {
  private readonly cache = new Map<string, { answer: Answer; expires: number }>();

  constructor(
    private readonly admin: InternalClient,
    private readonly options: { enabled: boolean; ttlMs: number },
  ) {}

  async check(principal: Principal, tenantId: string): Promise<void> {
    if (!this.options.enabled || principal.kind === 'api_key') return;
    const answer = await this.lookup(tenantId);
    if (answer === 'missing') {
      throw new AppError({
        code: TenantCodes.TENANT_NOT_FOUND,
        status: 404,
        detail: `tenant "${tenantId}" not found`,
      });
    }
    if (answer === 'disabled') {
      throw new AppError({
        code: TenantCodes.TENANT_DISABLED,
        status: 403,
        detail: `tenant "${tenantId}" is disabled`,
      });
    }
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private async lookup(tenantId: string): Promise<Answer> {
    const hit = this.cache.get(tenantId);
    if (hit && hit.expires > Date.now()) return hit.answer;
    const response = await this.admin
      .request<{ tenant?: { status?: string } }>(
        'GET',
        `/internal/v1/tenants/${encodeURIComponent(tenantId)}/runtime`,
        {
          timeoutMs: 2000,
        },
      )
      .catch((error: unknown) => {
        throw problems.unavailable(
          `tenant lookup unavailable: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    let answer: Answer;
    if (response.status === 200)
      answer = response.body?.tenant?.status === 'disabled' ? 'disabled' : 'active';
    else if (response.status === 404) answer = 'missing';
    else throw problems.unavailable(`tenant lookup failed with status ${response.status}`);
    this.cache.set(tenantId, { answer, expires: Date.now() + this.options.ttlMs });
    return answer;
  }
}

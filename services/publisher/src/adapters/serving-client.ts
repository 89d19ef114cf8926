import type { Artifact, ArtifactKind, Manifest } from '@recsys/contracts-publisher';

/** Serving's signal endpoints (DB-only mode), called with the service token and X-Org-Id. */
export interface SignalStatus {
  live: string | null;
  staged: string[];
  history: { version: string; activated_at?: string }[];
}

export interface ServingSignals {
  putVersion(
    manifest: Manifest,
    artifacts: Partial<Record<ArtifactKind, Artifact>>,
  ): Promise<{ version: string; status: string }>;
  activate(
    tenant: string,
    surface: string,
    segment: string,
    version: string,
  ): Promise<{ previous_version: string | null }>;
  status(tenant: string, surface: string, segment: string): Promise<SignalStatus>;
}

export class ServingSignalsClient implements ServingSignals {
  constructor(
    private readonly baseUrl: string,
    private readonly serviceToken: string,
    private readonly timeoutMs = 120_000,
  ) {}

  private async call<T>(method: string, path: string, tenant: string, body?: string): Promise<T> {
    const response = await fetch(this.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers: {
        'X-Service-Token': this.serviceToken,
        'X-Org-Id': tenant,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`serving ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  private base(tenant: string, surface: string, segment: string): string {
    return `/internal/v1/signals/${encodeURIComponent(tenant)}/${encodeURIComponent(surface)}/${encodeURIComponent(segment)}`;
  }

  putVersion(manifest: Manifest, artifacts: Partial<Record<ArtifactKind, Artifact>>) {
    return this.call<{ version: string; status: string }>(
      'PUT',
      `${this.base(manifest.tenant, manifest.surface, manifest.segment)}/versions/${encodeURIComponent(manifest.version)}`,
      manifest.tenant,
      JSON.stringify({ manifest, artifacts }),
    );
  }

  activate(tenant: string, surface: string, segment: string, version: string) {
    return this.call<{ previous_version: string | null }>(
      'POST',
      `${this.base(tenant, surface, segment)}/versions/${encodeURIComponent(version)}/activate`,
      tenant,
    );
  }

  async status(tenant: string, surface: string, segment: string): Promise<SignalStatus> {
    const body = await this.call<
      Partial<SignalStatus> & { live?: unknown; staged?: unknown[]; history?: unknown[] }
    >('GET', this.base(tenant, surface, segment), tenant);
    const versionOf = (v: unknown): string | null =>
      typeof v === 'string'
        ? v
        : v && typeof v === 'object' && 'version' in v
          ? String((v as { version: unknown }).version)
          : null;
    return {
      live: versionOf(body.live),
      staged: (body.staged ?? []).map(versionOf).filter((v): v is string => v !== null),
      history: (body.history ?? []).map((h) =>
        typeof h === 'string' ? { version: h } : (h as { version: string; activated_at?: string }),
      ),
    };
  }
}

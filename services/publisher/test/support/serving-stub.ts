import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Artifact, Manifest, type ArtifactKind } from '@recsys/contracts-publisher';
import { LocalScorer } from '../../src/domain/eval/local-scorer.js';
import { loadArtifacts, loadStagedManifest } from '../../src/domain/pipeline.js';
import { readCurrent } from '../../src/domain/publish/pointer.js';
import type { ObjectStore } from '../../src/domain/publish/store.js';

/**
 * A stand-in for serving that implements the agreed contract (helper brief §5): the DB-mode signal
 * endpoints and `POST /v1/recommend` with `X-Recsys-Signal-Version` previews. In artifact mode it reads the
 * current / staged manifests from the object store like serving does; ranking is the publisher's local
 * scorer (the real ranking code is serving's, tested there).
 */
export interface ServingStub {
  url: string;
  requests: { method: string; path: string; version?: string }[];
  /** Version served without a preview header (DB mode: the live one; artifact mode: current manifest). */
  servedVersion(tenant: string, surface: string): Promise<string | null>;
  live: Map<string, string>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startServingStub(options: {
  serviceToken: string;
  store?: ObjectStore;
}): Promise<ServingStub> {
  const versions = new Map<
    string,
    { manifest: Manifest; artifacts: Partial<Record<ArtifactKind, Artifact>> }
  >();
  const live = new Map<string, string>();
  const history = new Map<string, string[]>();
  const requests: ServingStub['requests'] = [];

  const servedVersion = async (
    tenant: string,
    surface: string,
    segment = 'default',
  ): Promise<string | null> => {
    if (options.store) return (await readCurrent(options.store, tenant, surface)).manifest?.version ?? null;
    return live.get(`${tenant}/${surface}/${segment}`) ?? null;
  };

  const scorers = new Map<string, LocalScorer>();
  const scorerOf = async (tenant: string, surface: string, version: string): Promise<LocalScorer | null> => {
    const cached = scorers.get(version);
    if (cached) return cached;
    let artifacts = versions.get(version)?.artifacts;
    if (!artifacts && options.store) {
      const manifest = await loadStagedManifest(options.store, tenant, surface, version);
      if (manifest) artifacts = await loadArtifacts(options.store, manifest);
    }
    if (!artifacts) return null;
    const scorer = new LocalScorer(artifacts);
    scorers.set(version, scorer); // versions are immutable (content-addressed)
    return scorer;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const version = req.headers['x-recsys-signal-version'] as string | undefined;
      requests.push({ method: req.method ?? '', path: url.pathname, ...(version ? { version } : {}) });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers['x-service-token'] !== options.serviceToken)
        return send(401, { code: 'RECSYS_AUTH_REQUIRED' });
      const tenant = req.headers['x-org-id'] as string;
      const signal =
        /^\/internal\/v1\/signals\/([^/]+)\/([^/]+)\/([^/]+)(?:\/versions\/([^/]+)(\/activate)?)?$/.exec(
          url.pathname,
        );
      if (signal) {
        const [, t, s, g, v, activate] = signal.map((x) => (x ? decodeURIComponent(x) : x));
        const key = `${t}/${s}/${g}`;
        if (req.method === 'PUT' && v && !activate) {
          const parsed = JSON.parse(await body(req)) as {
            manifest: unknown;
            artifacts: Record<string, unknown>;
          };
          const manifest = Manifest.parse(parsed.manifest);
          const artifacts = Object.fromEntries(
            Object.entries(parsed.artifacts).map(([k, a]) => [k, Artifact.parse(a)]),
          );
          versions.set(v, { manifest, artifacts });
          return send(201, { version: v, status: 'staged', counts: {} });
        }
        if (req.method === 'POST' && v && activate) {
          if (!versions.has(v!)) return send(404, { code: 'RECSYS_SIGNAL_VERSION_NOT_FOUND' });
          const previous = live.get(key) ?? null;
          live.set(key, v!);
          history.set(key, [...(history.get(key) ?? []), v!]);
          return send(200, { version: v, status: 'live', previous_version: previous });
        }
        if (req.method === 'GET' && !v) {
          const liveVersion = live.get(key) ?? null;
          return send(200, {
            live: liveVersion,
            staged: [...versions.values()]
              .filter(
                (x) =>
                  x.manifest.tenant === t && x.manifest.surface === s && x.manifest.version !== liveVersion,
              )
              .map((x) => x.manifest.version),
            history: (history.get(key) ?? []).map((version) => ({ version })),
          });
        }
      }
      if (req.method === 'POST' && url.pathname === '/v1/recommend') {
        const request = JSON.parse(await body(req)) as {
          surface: string;
          segment?: string;
          k?: number;
          user?: { user_id?: string };
        };
        const chosen =
          version ?? (await servedVersion(tenant, request.surface, request.segment ?? 'default'));
        const scorer = chosen ? await scorerOf(tenant, request.surface, chosen) : null;
        if (!scorer)
          return send(
            chosen ? 404 : 200,
            chosen ? { code: 'RECSYS_SIGNAL_VERSION_NOT_FOUND' } : { items: [] },
          );
        const items = scorer.recommend(request.user?.user_id ?? '', request.k ?? 20);
        return send(200, {
          items: items.map((item_id, i) => ({ item_id, rank: i + 1, score: 1 / (i + 1) })),
          meta: { tenant_id: tenant, signal_version: chosen },
        });
      }
      send(404, { code: 'RECSYS_NOT_FOUND' });
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    live,
    servedVersion,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

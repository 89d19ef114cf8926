/**
 * Security matrices driven by a service's OpenAPI document: tenant isolation (every tenant-scoped operation ×
 * every way of naming a wrong tenant → 403), RBAC (roles × operations), a local JWKS issuer for JWT attacks
 * (alg confusion, `none`, expired, wrong audience), captured logs for secret-leak checks, and a static check
 * that secrets are compared in constant time.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import {
  exampleOf,
  listOperations,
  loadErrorCatalogue,
  type OpenApiDocument,
  type OperationInfo,
} from './openapi.js';

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const RANK: Record<Role | 'cross-tenant', number> = { viewer: 1, operator: 2, admin: 3, 'cross-tenant': 4 };

export interface CallResult {
  status: number;
  code?: string;
  contentType: string;
  body: any;
}

/** Calls an operation with path parameters filled in and (for body operations) a JSON body. */
export async function callOperation(
  baseUrl: string,
  op: OperationInfo,
  options: { pathParams?: Record<string, string>; headers?: Record<string, string>; body?: unknown } = {},
): Promise<CallResult> {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = options.pathParams?.[name];
    if (value === undefined) throw new Error(`${op.key}: no value for path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (op.bodyContentType) {
    const value = options.body !== undefined ? options.body : {};
    body = typeof value === 'string' ? value : JSON.stringify(value);
    headers['content-type'] ??= op.bodyContentType;
  }
  const res = await fetch(baseUrl + path, { method: op.method, headers, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // NDJSON or text
  }
  return {
    status: res.status,
    code: parsed && typeof parsed === 'object' ? parsed.code : undefined,
    contentType: res.headers.get('content-type') ?? '',
    body: parsed,
  };
}

/** `/v1/...` operations that accept tenant credentials (API key or bearer), i.e. the tenant-facing API. */
export function tenantFacingOperations(document: OpenApiDocument): OperationInfo[] {
  return listOperations(document).filter(
    (op) => op.path.startsWith('/v1/') && op.security.some((s) => s === 'apiKey' || s === 'bearer'),
  );
}

/** `/internal/...` operations: only the service token may call them. */
export function internalOperations(document: OpenApiDocument): OperationInfo[] {
  return listOperations(document).filter((op) => op.path.startsWith('/internal/'));
}

export interface MatrixCell {
  operation: string;
  vector: string;
  status: number;
  code?: string;
  ok: boolean;
  reason?: string;
}

export interface MatrixResult {
  cells: MatrixCell[];
  failures: MatrixCell[];
}

export function formatMatrix(result: MatrixResult): string {
  const rows = result.cells.map(
    (c) =>
      `${c.ok ? 'ok  ' : 'FAIL'} ${c.operation} × ${c.vector} → ${c.status} ${c.code ?? ''}${c.reason ? ` (${c.reason})` : ''}`,
  );
  return rows.join('\n');
}

/** A way of presenting a request; undefined when it does not apply to the operation. */
export interface RequestVector {
  name: string;
  build: (
    op: OperationInfo,
  ) => { headers: Record<string, string>; pathParams: Record<string, string> } | undefined;
}

export interface TenancyMatrixOptions {
  baseUrl: string;
  operations: OperationInfo[];
  /** Each names a wrong tenant in one way (header, JWT claim, API key, URL); every one must get 403. */
  attacks: RequestVector[];
  /** The same caller acting on its own tenant: must NOT get 401/403 (proves the 403s come from the scope check). */
  control?: RequestVector;
  /** Body for body operations (default: a minimal valid example from the schema). */
  body?: (op: OperationInfo) => unknown;
  document: OpenApiDocument;
  /** Problem codes a denial may carry. */
  deniedCodes?: string[];
  /** Called after each control call (to undo side effects). */
  afterControl?: (op: OperationInfo) => Promise<void>;
}

const DENIED_CODES = [
  'RECSYS_TENANT_SCOPE_MISMATCH',
  'RECSYS_TENANT_SCOPE_REQUIRED',
  'RECSYS_TENANT_SCOPE_INVALID',
  'RECSYS_FORBIDDEN',
];

export async function runTenancyMatrix(options: TenancyMatrixOptions): Promise<MatrixResult> {
  const cells: MatrixCell[] = [];
  const known = loadErrorCatalogue();
  const allowedCodes = options.deniedCodes ?? DENIED_CODES;
  const bodyOf = (op: OperationInfo) =>
    op.bodySchema ? (options.body?.(op) ?? exampleOf(options.document, op.bodySchema)) : undefined;
  for (const op of options.operations) {
    for (const vector of options.attacks) {
      const built = vector.build(op);
      if (!built) continue;
      const res = await callOperation(options.baseUrl, op, { ...built, body: bodyOf(op) });
      const ok = res.status === 403 && allowedCodes.includes(String(res.code)) && known.has(String(res.code));
      cells.push({
        operation: op.key,
        vector: vector.name,
        status: res.status,
        code: res.code,
        ok,
        ...(ok ? {} : { reason: `expected 403 with one of ${allowedCodes.join('/')}` }),
      });
    }
  }
  if (options.control) {
    for (const op of options.operations) {
      const built = options.control.build(op);
      if (!built) continue;
      const res = await callOperation(options.baseUrl, op, { ...built, body: bodyOf(op) });
      const ok = res.status !== 401 && res.status !== 403 && res.status < 500;
      cells.push({
        operation: op.key,
        vector: options.control.name,
        status: res.status,
        code: res.code,
        ok,
        ...(ok ? {} : { reason: 'control: own tenant must not be refused' }),
      });
      await options.afterControl?.(op);
    }
  }
  return { cells, failures: cells.filter((c) => !c.ok) };
}

export interface RbacMatrixOptions {
  baseUrl: string;
  document: OpenApiDocument;
  operations: OperationInfo[];
  /** Request parts per role (credential of that role on the tenant, path parameters). */
  as: (
    role: Role,
    op: OperationInfo,
  ) => { headers: Record<string, string>; pathParams: Record<string, string> };
  /** Least role each operation needs ('cross-tenant': no tenant role suffices). */
  required: (op: OperationInfo) => Role | 'cross-tenant';
  body?: (op: OperationInfo) => unknown;
}

/** Roles below the requirement get 403 RECSYS_FORBIDDEN; roles at or above it are not refused. */
export async function runRbacMatrix(options: RbacMatrixOptions): Promise<MatrixResult> {
  const cells: MatrixCell[] = [];
  const bodyOf = (op: OperationInfo) =>
    op.bodySchema ? (options.body?.(op) ?? exampleOf(options.document, op.bodySchema)) : undefined;
  for (const op of options.operations) {
    const needed = options.required(op);
    // Denied roles first: they must have no side effects.
    const ordered = [...ROLES].sort((a, b) => RANK[a] - RANK[b]);
    for (const role of ordered) {
      const allowed = RANK[role] >= RANK[needed];
      const res = await callOperation(options.baseUrl, op, { ...options.as(role, op), body: bodyOf(op) });
      const ok = allowed
        ? res.status !== 401 && res.status !== 403 && res.status < 500
        : res.status === 403 && res.code === 'RECSYS_FORBIDDEN';
      cells.push({
        operation: op.key,
        vector: `${role} (needs ${needed})`,
        status: res.status,
        code: res.code,
        ok,
        ...(ok ? {} : { reason: allowed ? 'allowed role was refused' : 'expected 403 RECSYS_FORBIDDEN' }),
      });
    }
  }
  return { cells, failures: cells.filter((c) => !c.ok) };
}

// ---- JWT ---------------------------------------------------------------------------------------------------

export interface TestJwks {
  /** http://127.0.0.1:<port>/jwks.json */
  url: string;
  /** host:port, for AUTH_JWKS_ALLOWED_HOSTS. */
  host: string;
  issuer: string;
  audience: string;
  /** RS256 token signed by the published key. */
  sign: (
    claims: Record<string, unknown>,
    options?: {
      expiresIn?: string | number;
      audience?: string;
      issuer?: string;
      key?: CryptoKey;
      kid?: string;
    },
  ) => Promise<string>;
  /** HS256 token whose HMAC secret is the published RSA public key (classic algorithm confusion). */
  signAlgConfusion: (claims: Record<string, unknown>) => Promise<string>;
  /** `alg: none`, no signature. */
  unsigned: (claims: Record<string, unknown>) => string;
  /** A token signed by a key the JWKS does not publish (same kid). */
  signWithForeignKey: (claims: Record<string, unknown>) => Promise<string>;
  env: Record<string, string>;
  close: () => Promise<void>;
}

export async function startJwks(options: { issuer?: string; audience?: string } = {}): Promise<TestJwks> {
  const issuer = options.issuer ?? 'https://issuer.test';
  const audience = options.audience ?? 'recsys';
  const pair = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const publicPem = await exportSPKI(pair.publicKey);
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `http://${host}/jwks.json`;
  const sign: TestJwks['sign'] = (claims, o = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1' })
      .setIssuer(o.issuer ?? issuer)
      .setAudience(o.audience ?? audience)
      .setSubject(String(claims.sub ?? 'user-1'))
      .setIssuedAt()
      .setExpirationTime(o.expiresIn ?? '5m')
      .sign(o.key ?? pair.privateKey);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return {
    url,
    host,
    issuer,
    audience,
    sign,
    signAlgConfusion: (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject('user-1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(publicPem)),
    unsigned: (claims) =>
      `${b64({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${b64({
        iss: issuer,
        aud: audience,
        sub: 'user-1',
        iat: now,
        exp: now + 300,
        ...claims,
      })}.`,
    signWithForeignKey: (claims) => sign(claims, { key: foreign.privateKey }),
    env: {
      JWT_AUTH_ENABLED: 'true',
      JWT_JWKS_URL: url,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      JWT_ALLOWED_ALGORITHMS: 'RS256',
      AUTH_ALLOW_INSECURE_JWKS: 'true',
      AUTH_JWKS_ALLOWED_HOSTS: host,
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- logs --------------------------------------------------------------------------------------------------

export interface CapturedLogs {
  /** Pass as the pino destination (`createLogger(service, level, capture.stream)`). */
  stream: Writable & { write: (chunk: string | Buffer) => boolean };
  text: () => string;
  /** Raw secrets found in the captured text (empty when none leaked). */
  leaks: (secrets: string[]) => string[];
}

export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    leaks: (secrets) => {
      const all = text();
      return secrets.filter((s) => s.length >= 8 && all.includes(s));
    },
  };
}

// ---- static checks ---------------------------------------------------------------------------------------

/**
 * Reads source files and reports which of the required patterns each lacks; used to pin that API keys are
 * looked up by keyed hash and compared with timingSafeEqual (or secretsEqual), never with `===`.
 */
export function sourceMatches(files: string[], patterns: RegExp[]): { file: string; missing: string[] }[] {
  const source = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  const missing = patterns.filter((p) => !p.test(source)).map(String);
  return [{ file: files.join(', '), missing }];
}

/** Median of `fn`'s duration over n runs (ns), for coarse timing comparisons. */
export async function medianNs(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

// ---- start-up refusal ----------------------------------------------------------------------------------

/**
 * Starts a service from its sources (`node --conditions=source --import tsx src/main.ts` in `cwd`) and waits
 * for it to exit; resolves with the exit code (null when it was still running after `timeoutMs` and had to
 * be killed) and its output. For checks that unsafe settings make the process refuse to start.
 */
export function runServiceUntilExit(
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 45_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? null : code, output });
    });
  });
}

// ---- admin stand-in for services that verify keys remotely ------------------------------------------------

export interface AdminKeyStub {
  url: string;
  /** api key → what admin's verify endpoint answers. */
  keys: Map<string, { key_id: string; tenant_id: string; roles: string[] }>;
  close: () => Promise<void>;
}

/**
 * Admin's internal contract as far as ingest and serving need it for auth: `POST /internal/v1/keys/verify`
 * (200 / 401) and `GET /internal/v1/tenants/{id}/runtime` (every tenant active, no config or rules).
 */
export async function startAdminKeyStub(serviceToken: string): Promise<AdminKeyStub> {
  const keys: AdminKeyStub['keys'] = new Map();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown, type = 'application/json') => {
        res.statusCode = status;
        res.setHeader('content-type', type);
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-service-token'] !== serviceToken)
        return send(401, { code: 'RECSYS_AUTH_INVALID' }, 'application/problem+json');
      if (req.method === 'POST' && req.url === '/internal/v1/keys/verify') {
        let apiKey = '';
        try {
          apiKey = String(
            (JSON.parse(Buffer.concat(chunks).toString()) as { api_key?: unknown }).api_key ?? '',
          );
        } catch {
          return send(400, { code: 'RECSYS_INVALID_REQUEST' }, 'application/problem+json');
        }
        const key = keys.get(apiKey);
        if (!key) return send(401, { code: 'RECSYS_AUTH_INVALID' }, 'application/problem+json');
        return send(200, { ...key, expires_at: null });
      }
      const runtime = /^\/internal\/v1\/tenants\/([^/]+)\/runtime$/.exec(req.url ?? '');
      if (req.method === 'GET' && runtime) {
        const id = decodeURIComponent(runtime[1]!);
        res.setHeader('ETag', `"${id}"`);
        return send(200, {
          tenant: { id: '00000000-0000-4000-8000-000000000001', external_id: id, status: 'active' },
          config: null,
          rules: null,
        });
      }
      send(404, { code: 'RECSYS_ROUTE_NOT_FOUND' }, 'application/problem+json');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keys,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { canonicalJson } from '@recsys/contracts-admin';
import YAML from 'yaml';
import type { CliEnv } from '../config.js';
import { documentEtag } from '../domain/etag.js';
import { lineDiff } from './diff.js';

export const RECSYS_USAGE = `usage: recsys <command> [options]

commands:
  export --tenant <id> --dir <dir>   write the live config and rules to <dir>/config.yaml and rules.yaml
  plan   --dir <dir> [--tenant <id>] compare <dir> with the live service (exit 0: no changes, 2: changes)
  diff   --dir <dir> [--tenant <id>] same as plan
  apply  --dir <dir> [--tenant <id>] make <dir> live; refused (409) if the live version changed since plan

options:
  --url <url>        admin base URL (env RECSYS_ADMIN_URL, default http://127.0.0.1:8001)
  --api-key <key>    operator API key (env RECSYS_API_KEY)
  --tenant <id>      tenant external id (default: "tenant" in <dir>/recsys.yaml)

<dir> holds config.yaml|config.yml|config.json and/or rules.yaml|rules.yml|rules.json (a missing file is
not managed) and recsys.yaml with the tenant id. plan stores the live versions it saw in <dir>/.recsys-plan.json;
apply sends them as If-Match (If-None-Match: * where there was none), so an edit made by someone else after the
plan is refused, never overwritten.`;

const KINDS = ['config', 'rules'] as const;
type Kind = (typeof KINDS)[number];
const PLAN_FILE = '.recsys-plan.json';

export interface CliIo {
  env: CliEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  fetch?: typeof fetch;
}

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Live {
  version: string;
  document: unknown;
}

interface KindPlan {
  kind: Kind;
  live: Live | null;
  desired: unknown;
  desiredVersion: string;
  changed: boolean;
}

interface SavedPlan {
  tenant: string;
  documents: Partial<Record<Kind, { base_version: string | null; desired_version: string }>>;
}

/** Runs one `recsys` command; returns the process exit code. */
export async function runRecsys(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    io.out(RECSYS_USAGE);
    return command ? 0 : 64;
  }
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        tenant: { type: 'string' },
        dir: { type: 'string' },
        url: { type: 'string' },
        'api-key': { type: 'string' },
      },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${RECSYS_USAGE}`);
    return 64;
  }
  const client = new AdminClient(
    (values.url ?? io.env.RECSYS_ADMIN_URL ?? 'http://127.0.0.1:8001').replace(/\/+$/, ''),
    values['api-key'] ?? io.env.RECSYS_API_KEY,
    io.fetch ?? fetch,
  );
  try {
    if (!values.dir) throw new CliError(`--dir is required\n\n${RECSYS_USAGE}`, 64);
    switch (command) {
      case 'export':
        return await exportCommand(client, values.dir, values.tenant, io);
      case 'plan':
      case 'diff':
        return await planCommand(client, values.dir, values.tenant, io);
      case 'apply':
        return await applyCommand(client, values.dir, values.tenant, io);
      default:
        throw new CliError(`unknown command "${command}"\n\n${RECSYS_USAGE}`, 64);
    }
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return error instanceof CliError ? error.exitCode : 1;
  }
}

class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly fetchFn: typeof fetch,
  ) {}

  private async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await this.fetchFn(this.baseUrl + path, {
      method,
      headers: {
        accept: 'application/json',
        ...(this.apiKey ? { 'x-api-key': this.apiKey } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    }).catch((error: unknown) => {
      throw new CliError(`cannot reach ${this.baseUrl}: ${(error as Error).message}`);
    });
    const text = await response.text();
    let parsed: any = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, etag: response.headers.get('etag'), body: parsed };
  }

  async get(tenant: string, kind: Kind): Promise<Live | null> {
    const res = await this.request('GET', `/v1/admin/tenants/${encodeURIComponent(tenant)}/${kind}`);
    if (res.status === 404 && /_(CONFIG|RULES)_NOT_FOUND$/.test(res.body?.code ?? '')) return null;
    if (res.status !== 200) throw problemError(`GET ${kind}`, res);
    return { version: res.body[`${kind}_version`], document: res.body[kind] };
  }

  /** Dry run on the service: throws with the 422 pointers when the document is invalid. */
  async validate(tenant: string, kind: Kind, document: unknown): Promise<string[]> {
    const res = await this.request(
      'POST',
      `/v1/admin/tenants/${encodeURIComponent(tenant)}/${kind}/validate`,
      document,
    );
    if (res.status !== 200) throw problemError(`validate ${kind}`, res);
    return (res.body?.warnings as string[] | undefined) ?? [];
  }

  /** PUT conditioned on `base`: If-Match its ETag, or If-None-Match `*` when there was no document. */
  async put(tenant: string, kind: Kind, document: unknown, base: string | null) {
    return this.request(
      'PUT',
      `/v1/admin/tenants/${encodeURIComponent(tenant)}/${kind}`,
      document,
      base ? { 'if-match': base } : { 'if-none-match': '*' },
    );
  }
}

function problemError(what: string, res: { status: number; body: any }): CliError {
  const code = res.body?.code ? `${res.body.code}: ` : '';
  const detail = res.body?.detail ?? (typeof res.body === 'string' ? res.body : '');
  const pointers = Array.isArray(res.body?.errors)
    ? '\n' + res.body.errors.map((e: any) => `  ${e.pointer || '/'}: ${e.message}`).join('\n')
    : '';
  return new CliError(`${what} failed with ${res.status} ${code}${detail}${pointers}`);
}

/** Canonical rendering used for files and diffs: YAML with keys sorted. */
function render(document: unknown): string {
  return YAML.stringify(JSON.parse(canonicalJson(document)), { lineWidth: 0 });
}

async function readTenant(dir: string, flag: string | undefined): Promise<string> {
  if (flag) return flag;
  const manifest = join(dir, 'recsys.yaml');
  if (existsSync(manifest)) {
    const parsed = YAML.parse(await readFile(manifest, 'utf8')) as { tenant?: unknown } | null;
    if (typeof parsed?.tenant === 'string' && parsed.tenant) return parsed.tenant;
  }
  throw new CliError(`no tenant: pass --tenant or put "tenant: <id>" in ${manifest}`, 64);
}

async function readDesired(dir: string, kind: Kind): Promise<unknown | undefined> {
  for (const ext of ['yaml', 'yml', 'json']) {
    const file = join(dir, `${kind}.${ext}`);
    if (!existsSync(file)) continue;
    const text = await readFile(file, 'utf8');
    try {
      return ext === 'json' ? JSON.parse(text) : YAML.parse(text);
    } catch (error) {
      throw new CliError(`${file}: ${(error as Error).message}`);
    }
  }
  return undefined;
}

async function computePlan(client: AdminClient, dir: string, tenant: string): Promise<KindPlan[]> {
  const plans: KindPlan[] = [];
  for (const kind of KINDS) {
    const desired = await readDesired(dir, kind);
    if (desired === undefined) continue;
    const live = await client.get(tenant, kind);
    const desiredVersion = documentEtag(desired);
    plans.push({ kind, live, desired, desiredVersion, changed: live?.version !== desiredVersion });
  }
  if (plans.length === 0) throw new CliError(`${dir} holds no config.* or rules.* file`);
  return plans;
}

function printPlan(plans: KindPlan[], tenant: string, io: CliIo): void {
  for (const plan of plans) {
    if (!plan.changed) {
      io.out(`${plan.kind}: no changes (version ${plan.live!.version.slice(0, 12)})`);
      continue;
    }
    const from = plan.live ? plan.live.version.slice(0, 12) : '(none)';
    io.out(`${plan.kind}: changes for tenant ${tenant} (live ${from} → ${plan.desiredVersion.slice(0, 12)})`);
    const diff = lineDiff(plan.live ? render(plan.live.document) : '', render(plan.desired));
    for (const line of diff) io.out(`    ${line}`);
  }
}

async function exportCommand(
  client: AdminClient,
  dir: string,
  flag: string | undefined,
  io: CliIo,
): Promise<number> {
  if (!flag) throw new CliError('export needs --tenant', 64);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'recsys.yaml'), YAML.stringify({ tenant: flag }));
  for (const kind of KINDS) {
    const live = await client.get(flag, kind);
    if (!live) {
      io.out(`${kind}: tenant has none; no file written`);
      continue;
    }
    await writeFile(join(dir, `${kind}.yaml`), render(live.document));
    io.out(`${kind}: wrote ${join(dir, `${kind}.yaml`)} (version ${live.version})`);
  }
  await rm(join(dir, PLAN_FILE), { force: true });
  return 0;
}

async function planCommand(
  client: AdminClient,
  dir: string,
  flag: string | undefined,
  io: CliIo,
): Promise<number> {
  const tenant = await readTenant(dir, flag);
  const plans = await computePlan(client, dir, tenant);
  printPlan(plans, tenant, io);
  for (const plan of plans.filter((p) => p.changed)) {
    for (const warning of await client.validate(tenant, plan.kind, plan.desired)) {
      io.out(`${plan.kind}: warning ${warning}`);
    }
  }
  const saved: SavedPlan = { tenant, documents: {} };
  for (const plan of plans) {
    saved.documents[plan.kind] = {
      base_version: plan.live?.version ?? null,
      desired_version: plan.desiredVersion,
    };
  }
  await writeFile(join(dir, PLAN_FILE), JSON.stringify(saved, null, 2) + '\n');
  const changed = plans.filter((p) => p.changed).length;
  io.out(changed ? `plan: ${changed} document(s) to change` : 'plan: no changes');
  return changed ? 2 : 0;
}

async function applyCommand(
  client: AdminClient,
  dir: string,
  flag: string | undefined,
  io: CliIo,
): Promise<number> {
  const tenant = await readTenant(dir, flag);
  const plans = await computePlan(client, dir, tenant);
  const saved = await readSavedPlan(dir);
  if (saved && saved.tenant !== tenant)
    throw new CliError(`${PLAN_FILE} is for tenant ${saved.tenant}; run plan again`);
  let applied = 0;
  for (const plan of plans) {
    const fromPlan = saved?.documents[plan.kind];
    if (fromPlan && fromPlan.desired_version !== plan.desiredVersion) {
      throw new CliError(`${plan.kind} file changed since plan; run plan again`);
    }
    if (!plan.changed) {
      io.out(`${plan.kind}: no changes`);
      continue;
    }
    // The base is the live version seen at plan time (or now, without a saved plan). The PUT carries it as
    // If-Match (If-None-Match: * when there was none), so the server refuses (409) if anyone changed the
    // document in between.
    const base = fromPlan ? fromPlan.base_version : (plan.live?.version ?? null);
    if (base === null && plan.live) {
      throw new CliError(
        `${plan.kind}: refused — a live ${plan.kind} was created since plan; run plan again`,
      );
    }
    const res = await client.put(tenant, plan.kind, plan.desired, base);
    if (res.status === 409) {
      throw new CliError(
        `${plan.kind}: refused — the live version changed since plan (409 ${res.body?.code ?? ''}); run plan again`,
      );
    }
    if (res.status !== 200) throw problemError(`PUT ${plan.kind}`, res);
    applied++;
    io.out(`${plan.kind}: applied version ${res.etag ?? res.body?.[`${plan.kind}_version`]}`);
  }
  await rm(join(dir, PLAN_FILE), { force: true });
  io.out(applied ? `apply: ${applied} document(s) changed` : 'apply: nothing to change');
  return 0;
}

async function readSavedPlan(dir: string): Promise<SavedPlan | undefined> {
  const file = join(dir, PLAN_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SavedPlan;
  } catch {
    throw new CliError(`${file} is not readable; run plan again`);
  }
}

import { parseArgs } from 'node:util';
import { NewTenantId } from '@recsys/contracts-admin';
import { bootstrapTenant } from '../domain/bootstrap.js';
import type { Deps } from '../deps.js';

export const ADMIN_CLI_USAGE = `usage: recsys-admin bootstrap --tenant <id> [--name <display name>] [--new-key]

  Creates the tenant (if missing), a default config and empty rules (if it has none),
  and prints a first admin API key once. Safe to run again: a tenant that already has
  a key gets no new one unless --new-key is given.`;

/** `recsys-admin` sub-commands; returns the exit code. */
export async function runAdminCommand(
  argv: string[],
  deps: Pick<Deps, 'db' | 'control' | 'keyOptions'>,
  out: (line: string) => void,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'bootstrap') {
    out(ADMIN_CLI_USAGE);
    return command === undefined || command === '--help' ? 0 : 64;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      tenant: { type: 'string' },
      name: { type: 'string' },
      'new-key': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const tenant = NewTenantId.safeParse(values.tenant);
  if (!tenant.success) {
    out(`--tenant is required and must be a valid tenant id\n\n${ADMIN_CLI_USAGE}`);
    return 64;
  }
  const result = await bootstrapTenant(deps, {
    tenant: tenant.data,
    displayName: values.name,
    newKey: values['new-key'],
  });
  out(
    result.tenantCreated
      ? `tenant "${result.tenant.external_id}" created (${result.tenant.id})`
      : `tenant "${result.tenant.external_id}" already exists`,
  );
  out(`config version ${result.configVersion}`);
  out(`rules version ${result.rulesVersion}`);
  if (result.key) {
    out(`admin API key (shown once; store it now): ${result.key.api_key}`);
    out(`key id ${result.key.key.id}, roles ${result.key.key.roles.join(',')}`);
  } else {
    out('no new API key created: the tenant already has keys (pass --new-key to issue one)');
  }
  return 0;
}

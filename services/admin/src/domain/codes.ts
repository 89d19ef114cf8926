import { AppError, type FieldError } from '@recsys/platform/problem';

/** Problem codes admin introduces (catalogue: docs/api/errors.md, "Admin"). */
export const AdminCodes = {
  TENANT_EXISTS: 'RECSYS_TENANT_EXISTS',
  TENANT_NOT_FOUND: 'RECSYS_TENANT_NOT_FOUND',
  TENANT_DISABLED: 'RECSYS_TENANT_DISABLED',
  CONFIG_NOT_FOUND: 'RECSYS_CONFIG_NOT_FOUND',
  RULES_NOT_FOUND: 'RECSYS_RULES_NOT_FOUND',
  VERSION_MISMATCH: 'RECSYS_VERSION_MISMATCH',
  VERSION_NOT_FOUND: 'RECSYS_VERSION_NOT_FOUND',
  INVALID_CONFIG: 'RECSYS_INVALID_CONFIG',
  INVALID_RULES: 'RECSYS_INVALID_RULES',
  INVALID_TARGETS: 'RECSYS_INVALID_TARGETS',
  KEY_NOT_FOUND: 'RECSYS_KEY_NOT_FOUND',
  KEY_REVOKED: 'RECSYS_KEY_REVOKED',
} as const;

export const adminProblems = {
  tenantNotFound: (ref: string) =>
    new AppError({ code: AdminCodes.TENANT_NOT_FOUND, status: 404, detail: `tenant "${ref}" not found` }),
  tenantExists: (ref: string) =>
    new AppError({ code: AdminCodes.TENANT_EXISTS, status: 409, detail: `tenant "${ref}" already exists` }),
  tenantDisabled: () =>
    new AppError({ code: AdminCodes.TENANT_DISABLED, status: 403, detail: 'tenant is disabled' }),
  versionMismatch: (detail = 'If-Match does not match the current version') =>
    new AppError({ code: AdminCodes.VERSION_MISMATCH, status: 409, detail }),
  invalid: (code: string, status: 400 | 422, detail: string, errors?: FieldError[]) =>
    new AppError({ code, status, detail, errors }),
};

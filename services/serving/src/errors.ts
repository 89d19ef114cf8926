import { AppError } from '@recsys/platform/problem';

/** Problem codes serving introduces (catalogue: docs/api/errors.md, "Serving"). */
export const ServingCodes = {
  /** explain != none with k above RECSYS_EXPLAIN_MAX_ITEMS. */
  EXPLAIN_TOO_LARGE: 'RECSYS_EXPLAIN_TOO_LARGE',
  /** Manifest or artifact invalid, failing validation, or for another tenant/surface. */
  ARTIFACT_INCOMPATIBLE: 'RECSYS_ARTIFACT_INCOMPATIBLE',
  /** Signals could not be read (store unreachable) and no earlier version is in memory. */
  SIGNALS_UNAVAILABLE: 'RECSYS_SIGNALS_UNAVAILABLE',
  /** The signal version named in the path or X-Recsys-Signal-Version does not exist. */
  SIGNAL_VERSION_NOT_FOUND: 'RECSYS_SIGNAL_VERSION_NOT_FOUND',
  /** A version with the same id but different content was already staged. */
  SIGNAL_VERSION_CONFLICT: 'RECSYS_SIGNAL_VERSION_CONFLICT',
  /** The tenant is unknown to admin. */
  TENANT_NOT_FOUND: 'RECSYS_TENANT_NOT_FOUND',
  /** The tenant is disabled. */
  TENANT_DISABLED: 'RECSYS_TENANT_DISABLED',
} as const;

export const servingProblems = {
  explainTooLarge: (max: number) =>
    new AppError({
      code: ServingCodes.EXPLAIN_TOO_LARGE,
      status: 422,
      detail: `explain payload too large (k must be <= ${max} when explain is not none)`,
    }),
  artifactIncompatible: (detail: string) =>
    new AppError({ code: ServingCodes.ARTIFACT_INCOMPATIBLE, status: 422, detail }),
  signalsUnavailable: (detail: string) =>
    new AppError({ code: ServingCodes.SIGNALS_UNAVAILABLE, status: 503, detail, retryAfterSeconds: 1 }),
  versionNotFound: (version: string) =>
    new AppError({
      code: ServingCodes.SIGNAL_VERSION_NOT_FOUND,
      status: 404,
      detail: `signal version ${version} not found`,
    }),
  versionConflict: (version: string) =>
    new AppError({
      code: ServingCodes.SIGNAL_VERSION_CONFLICT,
      status: 409,
      detail: `signal version ${version} already exists with different content`,
    }),
  tenantNotFound: (tenant: string) =>
    new AppError({ code: ServingCodes.TENANT_NOT_FOUND, status: 404, detail: `tenant ${tenant} not found` }),
  tenantDisabled: (tenant: string) =>
    new AppError({ code: ServingCodes.TENANT_DISABLED, status: 403, detail: `tenant ${tenant} is disabled` }),
};

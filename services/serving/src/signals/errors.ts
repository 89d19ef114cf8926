/** Why a signal load failed; `kind` is the metrics label (manifest, an artifact kind, or request). */
export class SignalLoadError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    /** True when the documents are invalid (422 RECSYS_ARTIFACT_INCOMPATIBLE), false for read errors. */
    readonly incompatible: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SignalLoadError';
  }
}

/** The requested object does not exist (manifest not published, version unknown). */
export class SignalNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignalNotFoundError';
  }
}

/**
 * The exposure shape shared with serving (team brief wire shape 2: payload of `recsys.exposures.v1`). Serving
 * owns it; ingest consumes it from the stream and writes it back, with `kind: "exposure"` and a cursor, as the
 * exposure lines of the export.
 */
export { ExposureEvent, ExposureItem } from '@recsys/contracts-serving';

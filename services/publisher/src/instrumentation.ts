// Loaded with `node --import` before main.ts so OpenTelemetry can patch http, express, pg and ioredis.
import { startTelemetry } from '@recsys/platform/telemetry';

startTelemetry('recsys-publisher');

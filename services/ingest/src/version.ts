export const SERVICE_NAME = 'ingest';
export const SERVICE_VERSION = '0.1.0';

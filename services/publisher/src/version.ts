export const SERVICE_NAME = 'publisher';
export const SERVICE_VERSION = '0.1.0';

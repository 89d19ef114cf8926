export const SERVICE_NAME = 'serving';
export const SERVICE_VERSION = '0.1.0';

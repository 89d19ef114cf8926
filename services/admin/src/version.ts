export const SERVICE_NAME = 'admin';
export const SERVICE_VERSION = '0.1.0';

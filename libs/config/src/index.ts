export * from './load-config.util';
export * from './env-fields.util';

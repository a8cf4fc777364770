export * from './load-config.util';
export * from './env-fields.util';
export * from './metrics-server.util';
export * from './cached-value.util';
export * from './process-metrics.util';

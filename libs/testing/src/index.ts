export * from './expect-eventually.util';
export * from './test-database.util';
export * from './webhook-receiver.util';
export * from './service-process.util';
export * from './minoots-stack.util';
export * from './query-plan.util';
export * from './nats-streams.util';
export * from './freezable-relay.util';

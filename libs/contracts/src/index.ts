export * from './events/event-envelope.schema';
export * from './events/event-registry.constants';
export * from './events/event-codec.util';
export * from './events/event-factory.util';
export * from './events/namespace.util';
export * from './queries/query-registry.constants';
export * from './timers/timer-spec.schema';
export * from './timers/timer-view.type';

export * from './nats-connection.util';
export * from './event-publisher.service';
export * from './durable-event-consumer.service';
export * from './nats-connection.provider';
export * from './start-nats-microservice.util';
export * from './leader-event-consumer.service';
export * from './dependency-health.util';
export * from './service-metrics.base';

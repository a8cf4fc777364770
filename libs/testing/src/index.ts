export * from './expect-eventually.util';
export * from './test-database.util';
export * from './webhook-receiver.util';

import { NatsConnection } from '@nats-io/nats-core';
import { AdvisoryLeadership } from '@minoots/database';
import { StreamKey } from '@minoots/contracts';
import { DurableEventConsumer, DurableEventConsumerOptions } from './durable-event-consumer.service';

export interface LeaderEventConsumerOptions<S extends StreamKey> extends DurableEventConsumerOptions<S> {
  databaseUrl: string;
  logger: DurableEventConsumerOptions['logger'] & { log(message: string): void };
  /** Called when this replica stops leading, before its consumer stops (which waits for its batches). */
  onDeposed?(): void;
}

/**
 * A durable consumer that runs on one replica at a time: the holder of a Postgres advisory lock
 * named after it. Events then apply strictly in stream order; if the leader dies, its session
 * (and lock) goes with it and another replica takes over within a second.
 */
export class LeaderEventConsumer<S extends StreamKey> {
  readonly consumer: DurableEventConsumer<S>;
  private readonly leadership: AdvisoryLeadership;

  constructor(nc: NatsConnection, options: LeaderEventConsumerOptions<S>) {
    this.consumer = new DurableEventConsumer(nc, options);
    this.leadership = new AdvisoryLeadership({
      url: options.databaseUrl,
      lockName: `${options.namespace}.${options.durable}`,
      logger: options.logger,
      onElected: () => this.consumer.start(),
      onDeposed: () => {
        options.onDeposed?.();
        return this.consumer.stop();
      },
    });
  }

  get isLeader(): boolean {
    return this.leadership.isLeader;
  }

  start(): Promise<void> {
    return this.leadership.start();
  }

  stop(): Promise<void> {
    return this.leadership.stop();
  }
}

import { Injectable } from '@nestjs/common';
import { AttemptRecord, DeliveriesRepository } from './deliveries.repository';

const MAX_GROUP = 1_000;

interface Pending {
  record: AttemptRecord;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for attempt records: attempts finishing together are written in one transaction
 * (the next starts as soon as the previous commits). At thousands of deliveries a second, one
 * transaction per attempt was the dispatcher's bottleneck. Each caller still waits for its own
 * record to be durable.
 */
@Injectable()
export class AttemptRecorder {
  private queue: Pending[] = [];
  private flushing?: Promise<void>;

  constructor(private readonly deliveries: DeliveriesRepository) {}

  record(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.schedule();
      });
  }

  private async flush(): Promise<void> {
    const group = this.queue.splice(0, MAX_GROUP);
    try {
      await this.deliveries.recordAttempts(group.map((p) => p.record));
      for (const p of group) p.resolve();
    } catch (error) {
      for (const p of group) p.reject(error);
    }
  }
}

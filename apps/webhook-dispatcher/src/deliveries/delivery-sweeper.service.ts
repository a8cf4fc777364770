import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliverySender } from './delivery-sender.service';

const SWEEP_BATCH = 200;

/**
 * On every replica: picks up deliveries that are due and unleased — retries whose time has come,
 * and first attempts stranded by a crash between recording and sending — and attempts them.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliverySweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly sender: DeliverySender,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const released = await this.deliveries.releaseLeasesOf(this.config.instanceId);
    if (released > 0) this.logger.log(`took back ${released} deliveries leased before a restart`);
    this.schedule(0);
  }

  /** Before HTTP and Postgres close (see TimerEventConsumer): attempts under way finish first. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
    await this.sender.drain();
  }

  async sweep(): Promise<number> {
    const due = await this.deliveries.claimDue(this.config.instanceId, this.sender.leaseMs, SWEEP_BATCH);
    for (const delivery of due) this.sender.dispatch(delivery);
    return due.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .then((count) => this.schedule(count === SWEEP_BATCH ? 0 : this.config.DELIVERY_SWEEP_INTERVAL_MS))
        .catch((error) => {
          this.logger.warn(`sweeping due deliveries failed: ${(error as Error).message}`);
          this.schedule(this.config.DELIVERY_SWEEP_INTERVAL_MS);
        });
    }, delayMs);
  }
}

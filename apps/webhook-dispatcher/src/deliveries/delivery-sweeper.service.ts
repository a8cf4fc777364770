import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliverySender } from './delivery-sender.service';

const SWEEP_BATCH = 200;
/** How soon to look again when the replica had too many attempts under way to claim any. */
const BUSY_RECHECK_MS = 100;

/**
 * On every replica: picks up deliveries that are due and unleased — retries whose time has come,
 * deliveries put back unsent, and first attempts stranded by a crash between recording and
 * sending — and attempts them, no more than DELIVERY_SWEEP_MAX_IN_FLIGHT under way at once.
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

  /**
   * Claims and dispatches what is due, as far as there is room; resolves with how soon to look again.
   * Without the bound, a backlog for a receiver slower than its connections would be claimed whole,
   * every round: each delivery waiting in memory for a connection, then put back, then claimed again.
   */
  async sweep(): Promise<number> {
    const room = Math.min(SWEEP_BATCH, this.config.DELIVERY_SWEEP_MAX_IN_FLIGHT - this.sender.inFlightCount);
    if (room <= 0) return BUSY_RECHECK_MS;
    const due = await this.deliveries.claimDue(this.config.instanceId, this.sender.leaseMs, room);
    for (const delivery of due) this.sender.dispatch(delivery);
    return due.length === room ? 0 : this.config.DELIVERY_SWEEP_INTERVAL_MS;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .then((next) => this.schedule(next))
        .catch((error) => {
          this.logger.warn(`sweeping due deliveries failed: ${(error as Error).message}`);
          this.schedule(this.config.DELIVERY_SWEEP_INTERVAL_MS);
        });
    }, delayMs);
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { TimerTerminalsRepository } from './timer-terminals.repository';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const PRUNE_BATCH = 10_000;

/**
 * Forgets which terminal event ended a timer once no competing event can still arrive (see
 * TimerTerminalsRepository.prune), hourly and in batches, so the table holds days, not history.
 */
@Injectable()
export class TerminalsJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TerminalsJanitor.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    private readonly terminals: TimerTerminalsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.prune().catch((error) => this.logger.warn(`pruning timer terminals failed: ${(error as Error).message}`));
    }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes terminals older than the retention; returns how many. */
  async prune(now = Date.now()): Promise<number> {
    const before = new Date(now - this.config.TERMINAL_RETENTION_DAYS * 24 * 3600 * 1000);
    let total = 0;
    for (;;) {
      const deleted = await this.terminals.prune(before, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }
}

import { Client } from 'pg';

export interface LeadershipLogger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Holds a Postgres session advisory lock while this process leads. The lock dies with the
 * session, so a killed leader is replaced by another replica within one retry interval.
 */
export class AdvisoryLeadership {
  private client?: Client;
  private leading = false;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      url: string;
      lockName: string;
      retryMs?: number;
      onElected(): Promise<void>;
      onDeposed(): Promise<void>;
      logger: LeadershipLogger;
    },
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): Promise<void> {
    return this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.transition;
    if (this.leading) await this.depose();
    await this.client?.end().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.leading) return;
    try {
      if (!this.client) {
        const client = new Client({ connectionString: this.options.url });
        client.on('error', () => void this.lost());
        await client.connect();
        this.client = client;
      }
      const { rows } = await this.client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [this.options.lockName]);
      if (rows[0]?.locked && !this.stopped) {
        this.leading = true;
        this.options.logger.log(`elected leader for ${this.options.lockName}`);
        this.transition = this.options.onElected();
        await this.transition;
        return;
      }
    } catch (error) {
      this.options.logger.warn(`leadership attempt failed: ${(error as Error).message}`);
      await this.client?.end().catch(() => undefined);
      this.client = undefined;
    }
    this.retryTimer = setTimeout(() => void this.attempt(), this.options.retryMs ?? 1000);
  }

  private async lost(): Promise<void> {
    this.client = undefined;
    if (this.leading) {
      this.options.logger.warn(`lost the database session holding ${this.options.lockName}`);
      await this.depose();
    }
    if (!this.stopped) this.retryTimer = setTimeout(() => void this.attempt(), this.options.retryMs ?? 1000);
  }

  private async depose(): Promise<void> {
    this.leading = false;
    this.transition = this.options.onDeposed().catch(() => undefined);
    await this.transition;
  }
}

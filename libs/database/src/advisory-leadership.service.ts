import { Client } from 'pg';

export interface LeadershipLogger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Holds a Postgres session advisory lock while this process leads. The lock dies with the
 * session, so a killed leader is replaced by another replica within one retry interval. While
 * leading, the session is checked every `checkMs`: a session that does not answer within
 * `checkTimeoutMs` (a half-open connection after a network fault or a failover, which raises no
 * error on its own) is given up and the leadership with it, so two replicas lead at once for at
 * most about that long.
 */
export class AdvisoryLeadership {
  private client?: Client;
  private leading = false;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private checkTimer?: NodeJS.Timeout;
  private transition: Promise<void> = Promise.resolve();
  /** An election attempt under way: stop() lets it finish, then closes its session. */
  private attempting: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      url: string;
      lockName: string;
      retryMs?: number;
      checkMs?: number;
      checkTimeoutMs?: number;
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
    clearInterval(this.checkTimer);
    // Stopped while connecting or asking for the lock, the attempt would otherwise keep its session
    // open (holding the lock, if it got it) until the process ends.
    await this.attempting;
    await this.transition;
    if (this.leading) await this.depose();
    await this.client?.end().catch(() => undefined);
  }

  private attempt(): Promise<void> {
    this.attempting = this.tryToLead();
    return this.attempting;
  }

  private async tryToLead(): Promise<void> {
    if (this.stopped || this.leading) return;
    try {
      if (!this.client) {
        const client = new Client({
          connectionString: this.options.url,
          keepAlive: true,
          query_timeout: this.options.checkTimeoutMs ?? 3_000,
        });
        client.on('error', () => void this.lost(client));
        await client.connect();
        this.client = client;
      }
      const { rows } = await this.client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [this.options.lockName]);
      if (rows[0]?.locked && !this.stopped) {
        this.leading = true;
        this.options.logger.log(`elected leader for ${this.options.lockName}`);
        this.transition = this.options.onElected();
        await this.transition;
        this.checkTimer = setInterval(() => void this.check(), this.options.checkMs ?? 1_000);
        return;
      }
    } catch (error) {
      this.options.logger.warn(`leadership attempt failed: ${(error as Error).message}`);
      await this.client?.end().catch(() => undefined);
      this.client = undefined;
    }
    if (!this.stopped) this.retryTimer = setTimeout(() => void this.attempt(), this.options.retryMs ?? 1000);
  }

  /** Asks the session that holds the lock whether it still does; no answer in time is a lost session. */
  private async check(): Promise<void> {
    const client = this.client;
    if (!client || !this.leading) return;
    try {
      const { rows } = await client.query<{ held: boolean }>(
        `select exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted) as held`,
      );
      if (rows[0]?.held) return;
      this.options.logger.warn(`the session no longer holds ${this.options.lockName}`);
    } catch (error) {
      this.options.logger.warn(`leadership check failed: ${(error as Error).message}`);
    }
    // Ending may wait on a dead socket; the session, if it lives, lets the lock go when it ends.
    void client.end().catch(() => undefined);
    await this.lost(client);
  }

  private async lost(client: Client): Promise<void> {
    if (client !== this.client) return;
    clearInterval(this.checkTimer);
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

import { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Per-endpoint rate limits shared by every dispatcher replica (the counters live in Postgres).
 * `reserve` never refuses outright: it says how long to wait, so deliveries are delayed, not dropped.
 */
export class EndpointRateLimiter {
  private readonly limiters = new Map<number, RateLimiterPostgres>();

  constructor(
    private readonly pool: Pool,
    /** One minute in production; tests shorten it to see delays without waiting a minute. */
    private readonly windowMs = 60_000,
  ) {}

  /** 0 when an attempt may go now (and counts it), else the milliseconds until one may. */
  async reserve(endpointId: string, perMinute: number): Promise<number> {
    try {
      await this.limiterFor(perMinute).consume(endpointId, 1);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
      throw rejection;
    }
  }

  /** Gives back a reservation that was not used (the attempt was not sent after all). */
  async release(endpointId: string, perMinute: number): Promise<void> {
    await this.limiterFor(perMinute).reward(endpointId, 1);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private limiterFor(perMinute: number): RateLimiterPostgres {
    let limiter = this.limiters.get(perMinute);
    if (!limiter) {
      limiter = new RateLimiterPostgres({
        storeClient: this.pool,
        schemaName: 'dispatcher',
        tableName: 'endpoint_rate_limits',
        tableCreated: true,
        keyPrefix: 'endpoint',
        points: Math.max(1, Math.round((perMinute * this.windowMs) / 60_000)),
        duration: this.windowMs / 1000,
      });
      this.limiters.set(perMinute, limiter);
    }
    return limiter;
  }
}

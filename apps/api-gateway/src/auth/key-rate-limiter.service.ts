import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { ApiError } from '../http/api-error';

/**
 * Requests per API key per minute. Counted in this gateway's memory: with several gateway
 * replicas behind a balancer, each allows the limit (documented in the README).
 */
@Injectable()
export class KeyRateLimiter {
  private readonly limiter: RateLimiterMemory;
  readonly limit: number;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.limit = config.GATEWAY_RATE_LIMIT_PER_MINUTE;
    this.limiter = new RateLimiterMemory({ points: this.limit, duration: 60 });
  }

  /** Counts one request; returns the X-RateLimit-* headers, or throws 429 with Retry-After. */
  async consume(keyId: string): Promise<Record<string, string>> {
    try {
      const res = await this.limiter.consume(keyId, 1);
      return this.headers(res);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new ApiError(429, 'RATE_LIMITED', `Rate limit of ${this.limit} requests per minute for this API key exceeded; retry in ${retryAfter} s`, {
        ...this.headers(rejection),
        'retry-after': String(retryAfter),
      });
    }
  }

  private headers(res: RateLimiterRes): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(Math.max(0, res.remainingPoints)),
      'x-ratelimit-reset': String(Math.ceil((Date.now() + res.msBeforeNext) / 1000)),
    };
  }
}

import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { isQueryErrorBody, QUERY_OWNERS, queryPattern, QueryName, QueryRequest, QueryResponse } from '@minoots/contracts';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { ApiError } from '../http/api-error';

export const QUERY_CLIENT = Symbol('QUERY_CLIENT');

/**
 * Asks the owning service over NATS request/reply. Remembers the stream sequence of this
 * gateway's latest write and sends it along, so a read right after a write sees that write.
 */
@Injectable()
export class QueryClient implements OnApplicationShutdown {
  private latestWriteSeq = 0;

  constructor(
    @Inject(QUERY_CLIENT) private readonly client: ClientProxy,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  noteWrite(seq: number): void {
    if (seq > this.latestWriteSeq) this.latestWriteSeq = seq;
  }

  get minSeq(): number | undefined {
    return this.latestWriteSeq || undefined;
  }

  async ask<Q extends QueryName>(name: Q, request: QueryRequest<Q>): Promise<QueryResponse<Q>> {
    try {
      return await firstValueFrom(
        this.client.send<QueryResponse<Q>, QueryRequest<Q>>(queryPattern(name, this.config.namespace), request).pipe(timeout(this.config.QUERY_TIMEOUT_MS)),
      );
    } catch (error) {
      const owner = QUERY_OWNERS[name];
      if (error instanceof TimeoutError || /no subscribers|no responders|timeout/i.test(String((error as Error)?.message))) {
        throw new ApiError(503, 'SERVICE_UNAVAILABLE', `The ${owner} did not answer in time; try again shortly.`, { 'retry-after': '1' });
      }
      // The owning service refused the request for a reason the client should see.
      if (isQueryErrorBody(error)) throw new ApiError(error.status, error.code, error.message);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { queryPattern, QueryRequest, QueryResponse } from '@minoots/contracts';
import { InvalidCursorError, TimerQueryService } from './timer-query.service';

/** Answers the gateway's timer reads over NATS request/reply. */
@Controller()
export class TimerQueryController {
  constructor(private readonly queries: TimerQueryService) {}

  @MessagePattern(queryPattern('timers.get'))
  get(@Payload() request: QueryRequest<'timers.get'>): Promise<QueryResponse<'timers.get'>> {
    return this.queries.get(request);
  }

  @MessagePattern(queryPattern('timers.list'))
  async list(@Payload() request: QueryRequest<'timers.list'>): Promise<QueryResponse<'timers.list'>> {
    try {
      return await this.queries.list(request);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new RpcException({ status: 400, code: 'INVALID_CURSOR', message: error.message });
      throw error;
    }
  }
}

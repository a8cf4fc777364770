import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { queryPattern, QueryRequest, QueryResponse } from '@minoots/contracts';
import { DeliveryLogService } from './delivery-log.service';

/** The delivery log, replays, test sends and endpoint statistics, asked by the gateway. */
@Controller()
export class DeliveriesController {
  constructor(private readonly log: DeliveryLogService) {}

  @MessagePattern(queryPattern('deliveries.list'))
  list(@Payload() request: QueryRequest<'deliveries.list'>): Promise<QueryResponse<'deliveries.list'>> {
    return this.log.list(request);
  }

  @MessagePattern(queryPattern('deliveries.get'))
  get(@Payload() request: QueryRequest<'deliveries.get'>): Promise<QueryResponse<'deliveries.get'>> {
    return this.log.get(request);
  }

  @MessagePattern(queryPattern('deliveries.replay'))
  replay(@Payload() request: QueryRequest<'deliveries.replay'>): Promise<QueryResponse<'deliveries.replay'>> {
    return this.log.replay(request);
  }

  @MessagePattern(queryPattern('endpoints.replay-dead'))
  replayDead(@Payload() request: QueryRequest<'endpoints.replay-dead'>): Promise<QueryResponse<'endpoints.replay-dead'>> {
    return this.log.replayDead(request);
  }

  @MessagePattern(queryPattern('endpoints.test'))
  test(@Payload() request: QueryRequest<'endpoints.test'>): Promise<QueryResponse<'endpoints.test'>> {
    return this.log.test(request);
  }

  @MessagePattern(queryPattern('endpoints.stats'))
  stats(@Payload() request: QueryRequest<'endpoints.stats'>): Promise<QueryResponse<'endpoints.stats'>> {
    return this.log.stats(request);
  }
}

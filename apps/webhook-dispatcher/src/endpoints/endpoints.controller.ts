import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { queryPattern, QueryRequest, QueryResponse } from '@minoots/contracts';
import { EndpointsService } from './endpoints.service';

/** Endpoint subscriptions, asked by the gateway over NATS request/reply. */
@Controller()
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService) {}

  @MessagePattern(queryPattern('endpoints.create'))
  create(@Payload() request: QueryRequest<'endpoints.create'>): Promise<QueryResponse<'endpoints.create'>> {
    return this.endpoints.create(request);
  }

  @MessagePattern(queryPattern('endpoints.list'))
  list(@Payload() request: QueryRequest<'endpoints.list'>): Promise<QueryResponse<'endpoints.list'>> {
    return this.endpoints.list(request);
  }

  @MessagePattern(queryPattern('endpoints.get'))
  get(@Payload() request: QueryRequest<'endpoints.get'>): Promise<QueryResponse<'endpoints.get'>> {
    return this.endpoints.get(request);
  }

  @MessagePattern(queryPattern('endpoints.update'))
  update(@Payload() request: QueryRequest<'endpoints.update'>): Promise<QueryResponse<'endpoints.update'>> {
    return this.endpoints.update(request);
  }

  @MessagePattern(queryPattern('endpoints.delete'))
  delete(@Payload() request: QueryRequest<'endpoints.delete'>): Promise<QueryResponse<'endpoints.delete'>> {
    return this.endpoints.delete(request);
  }

  @MessagePattern(queryPattern('endpoints.rotate-secret'))
  rotateSecret(@Payload() request: QueryRequest<'endpoints.rotate-secret'>): Promise<QueryResponse<'endpoints.rotate-secret'>> {
    return this.endpoints.rotateSecret(request);
  }
}

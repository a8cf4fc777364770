import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyOwner } from '../auth/api-keys.repository';
import { Tenant } from '../auth/api-key.guard';
import { parseInput } from '../http/parse-input.util';
import { QueryClient } from '../infrastructure/query.client';
import { listDeliveriesQuerySchema } from '../webhooks/webhook.requests';

@ApiTags('deliveries')
@ApiSecurity('apiKey')
@Controller('deliveries')
export class DeliveriesController {
  constructor(private readonly queries: QueryClient) {}

  @Get()
  @ApiOperation({ summary: 'The delivery log, newest first: filter by endpointId, timerId, status (pending|succeeded|dead), eventType, from, to' })
  async list(@Tenant() owner: ApiKeyOwner, @Query() query: unknown) {
    const page = await this.queries.ask('deliveries.list', { tenantId: owner.tenantId, ...parseInput(listDeliveriesQuerySchema, query) });
    return { deliveries: page.items, nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A delivery with its payload and every attempt: time, status code, latency, response excerpt, error' })
  async get(@Tenant() owner: ApiKeyOwner, @Param('id') id: string) {
    return { delivery: await this.queries.ask('deliveries.get', { tenantId: owner.tenantId, deliveryId: id }) };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a finished (dead or succeeded) delivery again, under the same delivery id' })
  async replay(@Tenant() owner: ApiKeyOwner, @Param('id') id: string) {
    return { delivery: await this.queries.ask('deliveries.replay', { tenantId: owner.tenantId, deliveryId: id }) };
  }
}

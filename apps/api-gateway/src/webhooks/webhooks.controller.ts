import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiKeyOwner } from '../auth/api-keys.repository';
import { Tenant } from '../auth/api-key.guard';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { parseInput } from '../http/parse-input.util';
import { QueryClient } from '../infrastructure/query.client';
import {
  createEndpointRequestSchema,
  pageQuerySchema,
  rotateSecretRequestSchema,
  statsQuerySchema,
  timeRangeSchema,
  updateEndpointRequestSchema,
} from './webhook.requests';

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as object;

/** Endpoint subscriptions; the webhook-dispatcher owns them and answers over request/reply. */
@ApiTags('webhooks')
@ApiSecurity('apiKey')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly queries: QueryClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register an endpoint; the answer shows its secret (whsec_…) this once' })
  @ApiBody({ schema: jsonSchema(createEndpointRequestSchema) })
  create(@Tenant() owner: ApiKeyOwner, @Body() body: unknown) {
    return this.queries.ask('endpoints.create', { tenantId: owner.tenantId, input: parseInput(createEndpointRequestSchema, body ?? {}) });
  }

  @Get()
  @ApiOperation({ summary: 'List endpoints (oldest first, cursor pagination)' })
  async list(@Tenant() owner: ApiKeyOwner, @Query() query: unknown) {
    const page = await this.queries.ask('endpoints.list', { tenantId: owner.tenantId, ...parseInput(pageQuerySchema, query) });
    return { webhooks: page.items, nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An endpoint with its state: healthy, failing or disabled (and why)' })
  get(@Tenant() owner: ApiKeyOwner, @Param('id') id: string) {
    return this.queries.ask('endpoints.get', { tenantId: owner.tenantId, endpointId: id });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an endpoint; {"enabled": true} re-enables a disabled one and resumes its deliveries' })
  @ApiBody({ schema: jsonSchema(updateEndpointRequestSchema) })
  update(@Tenant() owner: ApiKeyOwner, @Param('id') id: string, @Body() body: unknown) {
    return this.queries.ask('endpoints.update', { tenantId: owner.tenantId, endpointId: id, changes: parseInput(updateEndpointRequestSchema, body ?? {}) });
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete an endpoint; its undelivered deliveries become dead letters' })
  delete(@Tenant() owner: ApiKeyOwner, @Param('id') id: string) {
    return this.queries.ask('endpoints.delete', { tenantId: owner.tenantId, endpointId: id });
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a webhook.test event through the real delivery path; answers with the attempt' })
  async test(@Tenant() owner: ApiKeyOwner, @Param('id') id: string) {
    return { delivery: await this.queries.ask('endpoints.test', { tenantId: owner.tenantId, endpointId: id }) };
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'New secret (shown once); the old one also signs webhook-signature for graceSeconds (default 24 h)' })
  rotateSecret(@Tenant() owner: ApiKeyOwner, @Param('id') id: string, @Body() body: unknown) {
    const request = parseInput(rotateSecretRequestSchema, body);
    return this.queries.ask('endpoints.rotate-secret', {
      tenantId: owner.tenantId,
      endpointId: id,
      graceSeconds: request?.graceSeconds ?? this.config.SIGNING_SECRET_GRACE_SECONDS,
    });
  }

  @Get(':id/stats')
  @ApiOperation({ summary: 'Success rate, latency (average, p95), errors by kind, retry rate and rate-limit hits (default: last 24 h)' })
  stats(@Tenant() owner: ApiKeyOwner, @Param('id') id: string, @Query() query: unknown) {
    return this.queries.ask('endpoints.stats', { tenantId: owner.tenantId, endpointId: id, ...parseInput(statsQuerySchema, query) });
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay the endpoint’s dead letters, optionally only those created in [from, to)' })
  replayDead(@Tenant() owner: ApiKeyOwner, @Param('id') id: string, @Body() body: unknown) {
    return this.queries.ask('endpoints.replay-dead', { tenantId: owner.tenantId, endpointId: id, ...parseInput(timeRangeSchema, body) });
  }
}

import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { NatsConnection } from '@nats-io/nats-core';
import { checkDependencies, NATS_CONNECTION } from '@minoots/messaging';
import { Public } from '../auth/api-key.guard';
import { GATEWAY_DATABASE, GatewayDatabase } from '../database/gateway-database.type';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(GATEWAY_DATABASE) private readonly db: GatewayDatabase,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and dependencies: 200 when Postgres and NATS are reachable, else 503' })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ok, checks } = await checkDependencies(this.db, this.nc);
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', checks, time: new Date().toISOString() };
  }
}

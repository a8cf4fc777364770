import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { z } from 'zod';
import { TimerView } from '@minoots/contracts';
import { ApiKeyOwner } from '../auth/api-keys.repository';
import { Tenant } from '../auth/api-key.guard';
import { ApiError } from '../http/api-error';
import { parseInput } from '../http/parse-input.util';
import { cancelTimerRequestSchema, createTimerRequestSchema, listTimersQuerySchema } from './create-timer.request';
import { QueryClient } from '../infrastructure/query.client';
import { TimerCommands } from './timer-commands.service';

@ApiTags('timers')
@ApiSecurity('apiKey')
@Controller('timers')
export class TimersController {
  constructor(
    private readonly commands: TimerCommands,
    private readonly queries: QueryClient,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a timer', description: 'Answers 201 {"timer": {...}}. Send Idempotency-Key to make retries safe.' })
  @ApiBody({ schema: z.toJSONSchema(createTimerRequestSchema, { io: 'input', unrepresentable: 'any' }) as object })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async create(
    @Tenant() owner: ApiKeyOwner,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ timer: TimerView }> {
    const request = parseInput(createTimerRequestSchema, body ?? {});
    const result = await this.commands.create(owner.tenantId, request, idempotencyKey);
    void reply.status(201);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return { timer: result.timer };
  }

  @Get()
  @ApiOperation({ summary: 'List timers (newest first), filtered by status, agentId or name, with cursor pagination' })
  async list(@Tenant() owner: ApiKeyOwner, @Query() query: unknown) {
    const filter = parseInput(listTimersQuerySchema, query);
    return this.queries.ask('timers.list', { tenantId: owner.tenantId, ...filter, minSeq: this.queries.minSeq });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a timer with its remaining time and progress' })
  async get(@Tenant() owner: ApiKeyOwner, @Param('id') id: string): Promise<{ timer: TimerView }> {
    const { timer } = await this.queries.ask('timers.get', { tenantId: owner.tenantId, timerId: id, minSeq: this.queries.minSeq });
    if (!timer) throw new ApiError(404, 'TIMER_NOT_FOUND', `No timer ${id}`);
    return { timer };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a timer; optional body {"reason": "..."} is passed to its webhook' })
  async cancel(@Tenant() owner: ApiKeyOwner, @Param('id') id: string, @Body() body: unknown): Promise<{ timer: TimerView }> {
    const request = parseInput(cancelTimerRequestSchema, body);
    return { timer: await this.commands.cancel(owner.tenantId, id, request?.reason ?? null) };
  }
}

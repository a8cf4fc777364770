import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { SigningSecretView } from '@minoots/contracts';
import { ApiKeyOwner } from '../auth/api-keys.repository';
import { Tenant } from '../auth/api-key.guard';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { parseInput } from '../http/parse-input.util';
import { QueryClient } from '../infrastructure/query.client';

const rotateRequestSchema = z.strictObject({ graceSeconds: z.number().int().min(0).max(30 * 24 * 3600).optional() }).optional();

@ApiTags('account')
@ApiSecurity('apiKey')
@Controller('account')
export class AccountController {
  constructor(
    private readonly queries: QueryClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('signing-secret')
  @ApiOperation({ summary: 'The secret that signs your per-timer webhooks (MINOOTS_WEBHOOK_SECRET in the verification examples)' })
  signingSecret(@Tenant() owner: ApiKeyOwner): Promise<SigningSecretView> {
    return this.queries.ask('signing-secret.get', { tenantId: owner.tenantId });
  }

  @Post('signing-secret/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the signing secret; the old one keeps signing (webhook-signature) for graceSeconds (default 24 h)' })
  rotate(@Tenant() owner: ApiKeyOwner, @Body() body: unknown): Promise<SigningSecretView> {
    const request = parseInput(rotateRequestSchema, body);
    return this.queries.ask('signing-secret.rotate', {
      tenantId: owner.tenantId,
      graceSeconds: request?.graceSeconds ?? this.config.SIGNING_SECRET_GRACE_SECONDS,
    });
  }
}

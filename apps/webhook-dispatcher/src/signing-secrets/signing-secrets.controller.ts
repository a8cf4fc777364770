import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { queryPattern, QueryRequest, QueryResponse } from '@minoots/contracts';
import { SigningSecretsService } from './signing-secrets.service';

@Controller()
export class SigningSecretsController {
  constructor(private readonly secrets: SigningSecretsService) {}

  @MessagePattern(queryPattern('signing-secret.get'))
  get(@Payload() request: QueryRequest<'signing-secret.get'>): Promise<QueryResponse<'signing-secret.get'>> {
    return this.secrets.view(request.tenantId);
  }

  @MessagePattern(queryPattern('signing-secret.rotate'))
  rotate(@Payload() request: QueryRequest<'signing-secret.rotate'>): Promise<QueryResponse<'signing-secret.rotate'>> {
    return this.secrets.rotate(request.tenantId, request.graceSeconds);
  }
}

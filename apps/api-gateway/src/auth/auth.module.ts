import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyBootstrap } from './api-key-bootstrap.service';
import { KeyRateLimiter } from './key-rate-limiter.service';

@Module({
  providers: [ApiKeysRepository, ApiKeyAuthenticator, ApiKeyBootstrap, KeyRateLimiter, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeysRepository, ApiKeyBootstrap],
})
export class AuthModule {}

import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { AuthModule } from './auth/auth.module';
import { TimersModule } from './timers/timers.module';
import { AccountModule } from './account/account.module';
import { HealthModule } from './health/health.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { MetricsModule } from './metrics/metrics.module';
import { ApiExceptionFilter } from './http/api-exception.filter';

@Module({
  imports: [InfrastructureModule, AuthModule, TimersModule, WebhooksModule, DeliveriesModule, AccountModule, HealthModule, MetricsModule],
  providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
})
export class GatewayModule {}

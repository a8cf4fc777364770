import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { SigningSecretsModule } from './signing-secrets/signing-secrets.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { EndpointsModule } from './endpoints/endpoints.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({ imports: [InfrastructureModule, MetricsModule, SigningSecretsModule, EndpointsModule, DeliveriesModule] })
export class DispatcherModule {}

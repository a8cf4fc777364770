import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { SigningSecretsModule } from './signing-secrets/signing-secrets.module';
import { DeliveriesModule } from './deliveries/deliveries.module';

@Module({ imports: [InfrastructureModule, SigningSecretsModule, DeliveriesModule] })
export class DispatcherModule {}

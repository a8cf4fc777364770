import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { TimersModule } from './timers/timers.module';
import { FiringModule } from './firing/firing.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({ imports: [InfrastructureModule, MetricsModule, FiringModule, TimersModule] })
export class SchedulerModule {}

import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { TimersModule } from './timers/timers.module';
import { FiringModule } from './firing/firing.module';

@Module({ imports: [InfrastructureModule, FiringModule, TimersModule] })
export class SchedulerModule {}

import { Global, Module } from '@nestjs/common';
import { FiringModule } from '../firing/firing.module';
import { SchedulerMetrics } from './scheduler-metrics.service';

/** Global so the firing loop can record into it while it reads the trigger counts from firing. */
@Global()
@Module({
  imports: [FiringModule],
  providers: [SchedulerMetrics],
  exports: [SchedulerMetrics],
})
export class MetricsModule {}

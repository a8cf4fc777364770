import { Global, Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { DispatcherMetrics } from './dispatcher-metrics.service';

/** Global so the delivery sender can record into it while it reads the queue depth from deliveries. */
@Global()
@Module({
  imports: [DeliveriesModule],
  providers: [DispatcherMetrics],
  exports: [DispatcherMetrics],
})
export class MetricsModule {}

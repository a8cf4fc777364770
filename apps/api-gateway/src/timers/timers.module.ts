import { Module } from '@nestjs/common';
import { TimersController } from './timers.controller';
import { TimerCommands } from './timer-commands.service';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { MetricsModule } from '../metrics/metrics.module';

@Module({
  imports: [MetricsModule],
  controllers: [TimersController],
  providers: [TimerCommands, IdempotencyKeysRepository],
})
export class TimersModule {}

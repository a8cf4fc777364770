import { Module } from '@nestjs/common';
import { TimersRepository } from './timers.repository';
import { TimerProjection } from './timer-projection.service';
import { TimerQueryService } from './timer-query.service';
import { TimerQueryController } from './timer-query.controller';
import { TimerStreamConsumer } from './timer-stream.consumer';
import { FiringModule } from '../firing/firing.module';

@Module({
  imports: [FiringModule],
  controllers: [TimerQueryController],
  providers: [TimersRepository, TimerProjection, TimerQueryService, TimerStreamConsumer],
})
export class TimersModule {}

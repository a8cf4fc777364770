import { Module } from '@nestjs/common';
import { TriggersRepository } from './triggers.repository';
import { TimerFiringService } from './timer-firing.service';

@Module({
  providers: [TriggersRepository, TimerFiringService],
  exports: [TimerFiringService, TriggersRepository],
})
export class FiringModule {}

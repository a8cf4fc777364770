import { Module } from '@nestjs/common';
import { UrlPolicy } from '@minoots/url-policy';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { SigningSecretsModule } from '../signing-secrets/signing-secrets.module';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliverySender } from './delivery-sender.service';
import { DeliverySweeper } from './delivery-sweeper.service';
import { retryScheduleProvider } from './retry-schedule.provider';
import { TimerEventConsumer } from './timer-event.consumer';
import { TimerEventIntake } from './timer-event-intake.service';
import { WebhookHttpClient } from './webhook-http.client';

@Module({
  imports: [SigningSecretsModule],
  providers: [
    retryScheduleProvider,
    {
      provide: WebhookHttpClient,
      inject: [DISPATCHER_CONFIG],
      useFactory: (config: DispatcherConfig) =>
        new WebhookHttpClient(new UrlPolicy({ allowedCidrs: config.allowedCidrs }), config.DELIVERY_TIMEOUT_MS),
    },
    DeliveriesRepository,
    DeliverySender,
    TimerEventIntake,
    TimerEventConsumer,
    DeliverySweeper,
  ],
})
export class DeliveriesModule {}

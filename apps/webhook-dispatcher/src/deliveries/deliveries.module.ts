import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { UrlPolicy } from '@minoots/url-policy';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { SigningSecretsModule } from '../signing-secrets/signing-secrets.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryWriter } from './delivery-writer.service';
import { DeliveryLogRepository } from './delivery-log.repository';
import { DeliveryLogService } from './delivery-log.service';
import { DeliveryOutcomes } from './delivery-outcomes.service';
import { DeliverySender } from './delivery-sender.service';
import { DeliverySweeper } from './delivery-sweeper.service';
import { EndpointRateLimiter } from './endpoint-rate-limiter';
import { retryScheduleProvider } from './retry-schedule.provider';
import { TimerEventConsumer } from './timer-event.consumer';
import { TimerEventIntake } from './timer-event-intake.service';
import { TimerTerminalsRepository } from './timer-terminals.repository';
import { TerminalsJanitor } from './terminals-janitor.service';
import { DELIVERY_HTTP, DeliveryHttp } from './delivery-http';
import { ThreadedHttpClient } from './threaded-http.client';
import { WebhookHttpClient } from './webhook-http.client';

/**
 * The worker thread runs the compiled `webhook-http.worker.js` beside this file. Run from the
 * TypeScript sources (the in-process tests) there is none, and attempts are sent inline; so they
 * are if the worker does not start (a broken build), rather than every attempt failing.
 */
async function deliveryHttp(policy: UrlPolicy, config: DispatcherConfig): Promise<DeliveryHttp> {
  // One set of options for both, so the worker's client is built as the inline one would be.
  const options = { allowedCidrs: config.allowedCidrs, timeoutMs: config.DELIVERY_TIMEOUT_MS, connectionsPerOrigin: config.DELIVERY_CONNECTIONS_PER_ORIGIN };
  const inline = () => new WebhookHttpClient(policy, options.timeoutMs, { connectionsPerOrigin: options.connectionsPerOrigin });
  if (config.DELIVERY_HTTP === 'inline') return inline();
  const logger = new Logger(ThreadedHttpClient.name);
  const script = join(__dirname, 'webhook-http.worker.js');
  if (!existsSync(script)) {
    logger.warn(`no compiled ${script} (running from sources?): attempts are sent inline`);
    return inline();
  }
  const threaded = new ThreadedHttpClient({ path: script }, options, logger);
  try {
    await threaded.ready(10_000);
  } catch (error) {
    logger.error(`${(error as Error).message}: attempts are sent inline`);
    await threaded.close();
    return inline();
  }
  logger.log('attempts are sent from a worker thread (DELIVERY_HTTP=worker)');
  return threaded;
}

class DeliveryResourcesCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DELIVERY_HTTP) private readonly http: DeliveryHttp,
    @Inject(EndpointRateLimiter) private readonly limiter: EndpointRateLimiter,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.http.close(), this.limiter.close()]);
  }
}

@Module({
  imports: [SigningSecretsModule, EndpointsModule],
  controllers: [DeliveriesController],
  providers: [
    retryScheduleProvider,
    { provide: DELIVERY_HTTP, inject: [UrlPolicy, DISPATCHER_CONFIG], useFactory: deliveryHttp },
    {
      provide: EndpointRateLimiter,
      inject: [DISPATCHER_CONFIG],
      useFactory: (config: DispatcherConfig) => new EndpointRateLimiter(new Pool({ connectionString: config.DATABASE_URL, max: 4 }), config.ENDPOINT_RATE_WINDOW_MS),
    },
    DeliveryResourcesCloser,
    DeliveriesRepository,
    DeliveryWriter,
    TimerTerminalsRepository,
    TerminalsJanitor,
    DeliveryLogRepository,
    DeliveryLogService,
    DeliveryOutcomes,
    DeliverySender,
    TimerEventIntake,
    TimerEventConsumer,
    DeliverySweeper,
  ],
  exports: [DeliveriesRepository],
})
export class DeliveriesModule {}

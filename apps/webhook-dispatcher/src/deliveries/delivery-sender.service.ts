import { Inject, Injectable, Logger } from '@nestjs/common';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { SigningSecretsService } from '../signing-secrets/signing-secrets.service';
import { buildDeliveryHeaders } from './delivery-headers.builder';
import { DeliveriesRepository, DeliveryRow } from './deliveries.repository';
import { retryDelayMs } from './retry-schedule.util';
import { WebhookHttpClient } from './webhook-http.client';
import { RETRY_SCHEDULE } from './retry-schedule.provider';

/** Makes one attempt of a delivery and records it honestly: status code, latency, excerpt, error. */
@Injectable()
export class DeliverySender {
  private readonly logger = new Logger(DeliverySender.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(RETRY_SCHEDULE) private readonly schedule: number[],
    private readonly deliveries: DeliveriesRepository,
    private readonly secrets: SigningSecretsService,
    private readonly http: WebhookHttpClient,
  ) {}

  /** Lease long enough to cover one attempt, so no other replica starts the same one meanwhile. */
  get leaseMs(): number {
    return this.config.DELIVERY_TIMEOUT_MS + 5_000;
  }

  /** Fire and forget, tracked so shutdown can wait for attempts under way. */
  dispatch(delivery: DeliveryRow): void {
    const work = this.attempt(delivery)
      .catch((error) => this.logger.error(`delivery ${delivery.id}: ${(error as Error).message}`))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async attempt(delivery: DeliveryRow): Promise<void> {
    const attempt = delivery.attempt_count + 1;
    const keys = await this.secrets.keysFor(delivery.tenant_id);
    const startedAt = new Date();
    const headers = buildDeliveryHeaders({
      deliveryId: delivery.id,
      webhookId: delivery.timer_id ? `${delivery.timer_id}.${delivery.target}` : delivery.target,
      eventType: delivery.event_type,
      attempt,
      body: delivery.payload,
      secrets: keys.all,
      now: startedAt,
    });
    const result = await this.http.post(delivery.url, headers, delivery.payload);
    const exhausted = result.permanent || attempt >= delivery.max_attempts;
    const status = result.ok ? 'succeeded' : exhausted ? 'failed' : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(Date.now() + retryDelayMs(this.schedule, attempt, result.retryAfterMs)) : null;
    await this.deliveries.recordAttempt(
      {
        delivery_id: delivery.id,
        attempt,
        started_at: startedAt,
        duration_ms: result.durationMs,
        status_code: result.statusCode,
        response_excerpt: result.responseExcerpt,
        error: result.error,
        outcome: result.ok ? 'succeeded' : 'failed',
      },
      { status, nextAttemptAt, error: result.error },
    );
    if (!result.ok) {
      this.logger.warn(
        `delivery ${delivery.id} attempt ${attempt}/${delivery.max_attempts} failed (${result.error})` +
          (nextAttemptAt ? `; next at ${nextAttemptAt.toISOString()}` : '; giving up'),
      );
    }
  }
}

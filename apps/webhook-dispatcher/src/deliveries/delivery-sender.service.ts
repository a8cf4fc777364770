import { Inject, Injectable, Logger } from '@nestjs/common';
import { createEvent } from '@minoots/contracts';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { EndpointsRepository } from '../endpoints/endpoints.repository';
import { EndpointsService } from '../endpoints/endpoints.service';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics.service';
import { SigningSecretsService } from '../signing-secrets/signing-secrets.service';
import { buildDeliveryHeaders } from './delivery-headers.builder';
import { DeliveriesRepository, DeliveryRow } from './deliveries.repository';
import { DeliveryOutcomes } from './delivery-outcomes.service';
import { DeliveryWriter } from './delivery-writer.service';
import { EndpointRateLimiter } from './endpoint-rate-limiter';
import { retryDelayMs } from './retry-schedule.util';
import { RETRY_SCHEDULE } from './retry-schedule.provider';
import { DELIVERY_HTTP, DeliveryHttp } from './delivery-http';
import { HttpAttemptResult } from './webhook-http.client';

const NOT_SENT_WARN_MS = 10_000;

interface Target {
  url: string;
  webhookId: string;
  secrets: string[];
  /** An endpoint's delivery, counted against its rate limit. */
  limited?: { endpointId: string; perMinute: number };
}

/**
 * Makes one attempt of a delivery and records it honestly (status code, latency, excerpt,
 * error); decides what comes next: success, a retry on the schedule, or the dead-letter queue.
 */
@Injectable()
export class DeliverySender {
  private readonly logger = new Logger(DeliverySender.name);
  private readonly inFlight = new Set<Promise<void>>();
  /** Put off unsent since the last warning about it, which goes out at most every NOT_SENT_WARN_MS. */
  private notSent = { count: 0, warnedAt: Number.NEGATIVE_INFINITY };

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(RETRY_SCHEDULE) private readonly schedule: number[],
    private readonly deliveries: DeliveriesRepository,
    private readonly writer: DeliveryWriter,
    private readonly endpoints: EndpointsRepository,
    private readonly endpointSecrets: EndpointsService,
    private readonly secrets: SigningSecretsService,
    @Inject(DELIVERY_HTTP) private readonly http: DeliveryHttp,
    private readonly rateLimiter: EndpointRateLimiter,
    private readonly outcomes: DeliveryOutcomes,
    private readonly metrics: DispatcherMetrics,
  ) {
    metrics.observeConnections(() => http.counts());
  }

  /**
   * Lease long enough to cover one attempt, so no other replica starts the same one meanwhile: the
   * wait for a connection and the attempt itself (each up to DELIVERY_TIMEOUT_MS), and the deadline
   * sweep's second after each.
   */
  get leaseMs(): number {
    return 2 * this.config.DELIVERY_TIMEOUT_MS + 5_000;
  }

  /**
   * Fire and forget, tracked so shutdown can wait for attempts under way. `written` settles when
   * the delivery's batch is in the database. A first attempt starts before that: the writer holds
   * the new row for it and writes the two together. Anything else that changes the row first asks
   * the writer to write it now, and waits for that.
   */
  dispatch(delivery: DeliveryRow, written: Promise<void> = Promise.resolve()): void {
    const work = this.attempt(delivery, written)
      .catch((error) => this.logger.error(`delivery ${delivery.id}: ${(error as Error).message}`))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Attempts under way on this replica. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async attempt(delivery: DeliveryRow, written: Promise<void> = Promise.resolve()): Promise<void> {
    const target = await this.resolveTarget(delivery, written);
    if (!target) return;
    const attempt = delivery.attempt_count + 1;
    const startedAt = new Date();
    const headers = buildDeliveryHeaders({
      deliveryId: delivery.id,
      webhookId: target.webhookId,
      eventType: delivery.event_type,
      attempt,
      body: delivery.payload,
      secrets: target.secrets,
      now: startedAt,
    });
    const result = await this.http.post(target.url, headers, delivery.payload);
    if (result.notSent) return this.putOffUnsent(delivery, written, target);
    const gone = result.statusCode === 410;
    const exhausted = result.permanent || gone || attempt >= delivery.max_attempts;
    const status = result.ok ? 'succeeded' : exhausted ? 'dead' : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(Date.now() + retryDelayMs(this.schedule, attempt, result.retryAfterMs)) : null;
    const error = gone ? 'receiver answered 410 Gone: endpoint disabled' : result.error;
    await this.writer.record({
      attempt: {
        delivery_id: delivery.id,
        attempt,
        started_at: startedAt,
        duration_ms: result.durationMs,
        status_code: result.statusCode,
        response_excerpt: result.responseExcerpt,
        error,
        outcome: result.ok ? 'succeeded' : 'failed',
      },
      update: { status, nextAttemptAt, error },
    });
    this.metrics.recordAttempt(result, status === 'pending' ? 'retrying' : status);
    this.announce(delivery, attempt, result, status, nextAttemptAt, error);
    if (delivery.endpoint_id && !result.lost) await this.recordEndpointHealth(delivery.endpoint_id, result.ok, gone);
  }

  /** Where and how to send; undefined when the attempt must not happen now (recorded as such). */
  private async resolveTarget(delivery: DeliveryRow, written: Promise<void>): Promise<Target | undefined> {
    if (!delivery.endpoint_id) {
      const keys = await this.secrets.keysFor(delivery.tenant_id);
      return { url: delivery.url, webhookId: `${delivery.timer_id}.${delivery.target}`, secrets: keys.all };
    }
    const endpoint = await this.endpoints.findById(delivery.endpoint_id);
    if (!endpoint || endpoint.deleted_at) {
      await this.writtenNow(delivery, written);
      await this.deliveries.markDead(delivery.id, 'endpoint deleted');
      this.metrics.recordDead();
      return undefined;
    }
    if (!endpoint.enabled) {
      // Paused, not dropped: re-enabling the endpoint resumes it (the sweeper skips it meanwhile).
      await this.writtenNow(delivery, written);
      await this.deliveries.postpone(delivery.id, new Date(), false);
      return undefined;
    }
    const waitMs = await this.rateLimiter.reserve(endpoint.id, endpoint.rate_limit_per_minute);
    if (waitMs > 0) {
      await this.writtenNow(delivery, written);
      await this.deliveries.postpone(delivery.id, new Date(Date.now() + waitMs), true);
      this.metrics.recordRateLimited();
      return undefined;
    }
    // The endpoint's current URL: fixing a wrong URL and replaying is the common repair.
    return {
      url: endpoint.url,
      webhookId: endpoint.id,
      secrets: this.endpointSecrets.secretsOf(endpoint),
      limited: { endpointId: endpoint.id, perMinute: endpoint.rate_limit_per_minute },
    };
  }

  /** Resolves once the delivery's row is in: written now if it is held for its first attempt. */
  private writtenNow(delivery: DeliveryRow, written: Promise<void>): Promise<void> {
    return this.writer.release(delivery.id) ?? written;
  }

  /**
   * Nothing went out: the receiver's connections were all busy with earlier attempts. Back to the
   * queue, due now, without using up an attempt (the sweeper takes it up again within a second);
   * the connections stay busy, so the receiver is sent what it can take. An endpoint's rate limit
   * gets back the request it counted.
   */
  private async putOffUnsent(delivery: DeliveryRow, written: Promise<void>, target: Target): Promise<void> {
    await this.writtenNow(delivery, written);
    await this.deliveries.postpone(delivery.id, new Date(), false);
    if (target.limited) await this.rateLimiter.release(target.limited.endpointId, target.limited.perMinute);
    this.metrics.recordNotSent();
    this.notSent.count++;
    if (Date.now() - this.notSent.warnedAt >= NOT_SENT_WARN_MS) {
      this.logger.warn(
        `delivery put back unsent, no attempt used up: every connection to ${new URL(target.url).origin} stayed busy for ${this.config.DELIVERY_TIMEOUT_MS} ms ` +
          `(${this.notSent.count} such since the last warning; DELIVERY_CONNECTIONS_PER_ORIGIN=${this.config.DELIVERY_CONNECTIONS_PER_ORIGIN})`,
      );
      this.notSent = { count: 0, warnedAt: Date.now() };
    }
  }

  private async recordEndpointHealth(endpointId: string, ok: boolean, gone: boolean): Promise<void> {
    const change = await this.endpoints.recordOutcome(
      endpointId,
      { ok, gone },
      { failingAfter: this.config.ENDPOINT_FAILING_AFTER, disableAfter: this.config.ENDPOINT_DISABLE_AFTER },
    );
    if (change?.changedTo === 'failing' || change?.changedTo === 'disabled') {
      this.logger.warn(`endpoint ${endpointId} is now ${change.changedTo}: ${change.row.disabled_reason ?? `${change.row.consecutive_failures} failures in a row`}`);
      await this.outcomes.endpointHealthChanged(change.row, change.changedTo);
    }
  }

  private announce(
    delivery: DeliveryRow,
    attempt: number,
    result: HttpAttemptResult,
    status: 'succeeded' | 'dead' | 'pending',
    nextAttemptAt: Date | null,
    error: string | null,
  ): void {
    const common = {
      tenantId: delivery.tenant_id,
      aggregateId: delivery.id,
    };
    const data = { deliveryId: delivery.id, endpointId: delivery.endpoint_id, timerId: delivery.timer_id, eventType: delivery.event_type, attempt };
    if (status === 'succeeded') {
      this.outcomes.publish(createEvent('delivery.succeeded', { ...common, data: { ...data, statusCode: result.statusCode ?? 0, durationMs: result.durationMs } }));
      return;
    }
    if (status === 'pending') {
      this.outcomes.publish(createEvent('delivery.failed', { ...common, data: { ...data, error: error ?? 'failed', nextAttemptAt: nextAttemptAt!.toISOString() } }));
      this.logger.warn(`delivery ${delivery.id} attempt ${attempt}/${delivery.max_attempts} failed (${error}); next at ${nextAttemptAt!.toISOString()}`);
      return;
    }
    this.outcomes.publish(createEvent('delivery.dead', { ...common, data: { ...data, error: error ?? 'failed' } }));
    this.logger.warn(`delivery ${delivery.id} is dead after ${attempt} attempt(s): ${error}`);
  }
}

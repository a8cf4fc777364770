import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { buildTimerView, createEvent, parseEvent, timerSnapshotOfView, TimerView } from '@minoots/contracts';
import { EventPublisher } from '@minoots/messaging';
import { UrlPolicy } from '@minoots/url-policy';
import { ApiError } from '../http/api-error';
import { CreateTimerRequest } from './create-timer.request';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { QueryClient } from '../infrastructure/query.client';
import { GatewayMetrics } from '../metrics/gateway-metrics.service';
import { buildTimerSpec } from './timer-spec.factory';

export interface CreateTimerResult {
  timer: TimerView;
  replayed: boolean;
}

const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Timer writes: validated here, emitted as events, never written to a table by the gateway. */
@Injectable()
export class TimerCommands {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly queries: QueryClient,
    private readonly idempotency: IdempotencyKeysRepository,
    private readonly urlPolicy: UrlPolicy,
    private readonly metrics: GatewayMetrics,
  ) {}

  async create(tenantId: string, request: CreateTimerRequest, idempotencyKey?: string): Promise<CreateTimerResult> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new ApiError(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1-255 visible ASCII characters');
    }
    const spec = buildTimerSpec(request, this.urlPolicy);
    const event = createEvent('timer.created', { tenantId, aggregateId: spec.id, data: { timer: spec } });
    const timer = buildTimerView(spec, { status: 'pending', expiredAt: null, cancelledAt: null, cancelReason: null });
    if (idempotencyKey !== undefined) {
      const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
      const claimed = await this.idempotency.insert(tenantId, idempotencyKey, { requestHash, event, response: timer });
      if (!claimed) return this.replay(tenantId, idempotencyKey, requestHash);
    }
    this.queries.noteWrite((await this.publisher.publish(event)).seq);
    this.metrics.recordTimerCreated();
    return { timer, replayed: false };
  }

  async cancel(tenantId: string, timerId: string, reason: string | null): Promise<TimerView> {
    const { timer } = await this.queries.ask('timers.get', { tenantId, timerId, minSeq: this.queries.minSeq });
    if (!timer) throw new ApiError(404, 'TIMER_NOT_FOUND', `No timer ${timerId}`);
    if (timer.status !== 'pending') throw new ApiError(409, 'TIMER_NOT_PENDING', `Timer ${timerId} has already ${timer.status === 'expired' ? 'expired' : 'been cancelled'}`);
    const { seq } = await this.publisher.publish(
      createEvent('timer.cancelled', { tenantId, aggregateId: timerId, data: { reason, cancelledAt: new Date().toISOString(), timer: timerSnapshotOfView(timer) } }),
    );
    this.queries.noteWrite(seq);
    // The stream decides a cancel racing the expiry; read back which one came first.
    const after = await this.queries.ask('timers.get', { tenantId, timerId, minSeq: seq });
    if (after.timer?.status === 'expired') throw new ApiError(409, 'TIMER_NOT_PENDING', `Timer ${timerId} expired before the cancellation arrived`);
    return after.timer ?? timer;
  }

  private async replay(tenantId: string, key: string, requestHash: string): Promise<CreateTimerResult> {
    const existing = await this.idempotency.find(tenantId, key);
    if (!existing) throw new ApiError(409, 'IDEMPOTENCY_CONFLICT', 'A request with this Idempotency-Key is in progress; retry shortly');
    if (existing.requestHash !== requestHash) {
      throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request body');
    }
    // The first request may have died before publishing: publishing again is deduplicated by event id.
    this.queries.noteWrite((await this.publisher.publish(parseEvent(existing.event))).seq);
    return { timer: existing.response as TimerView, replayed: true };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Insertable } from 'kysely';
import { TimerEvent } from '@minoots/contracts';
import { ConsumedEvent } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DeliveriesTable } from '../database/dispatcher-database.type';
import { EndpointsRepository } from '../endpoints/endpoints.repository';
import { DeliveriesRepository, DeliveryRow } from './deliveries.repository';
import { EndpointTarget, planEndpointDeliveries, timerEventPayload, timerEventTime, toEndpointTarget } from './endpoint-delivery.planner';
import { asDeliveryRow, newDeliveryRow } from './new-delivery-row.util';
import { RETRY_SCHEDULE } from './retry-schedule.provider';
import { decideTimerEvents, progressTimerIds, terminalClaims, TimerEventEffect } from './timer-event.decisions';
import { planTimerDeliveries } from './timer-delivery.planner';
import { TimerTerminalsRepository } from './timer-terminals.repository';

export interface PlannedBatch {
  /** To insert (leased to this replica); their first attempts may start before the insert lands. */
  rows: Insertable<DeliveriesTable>[];
  /** The same deliveries as the sender takes them. */
  deliveries: DeliveryRow[];
}

/**
 * Turns a batch of timer events into deliveries — to the timer's own webhooks and to every
 * enabled endpoint whose filter matches. The events carry the timer, so the only question for the
 * database is which terminal event of each timer came first: one statement, the only round trip
 * between a fired timer and its webhook. Delivery ids derive from (event, target), so a batch
 * redelivered after a crash plans the same deliveries under the same ids.
 */
@Injectable()
export class TimerEventIntake {
  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(RETRY_SCHEDULE) private readonly schedule: number[],
    private readonly terminals: TimerTerminalsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
  ) {}

  async plan(batch: ConsumedEvent<TimerEvent>[], leaseMs: number): Promise<PlannedBatch> {
    const claims = terminalClaims(batch);
    const progress = progressTimerIds(batch);
    const settled = claims.length + progress.length > 0 ? await this.terminals.settle(claims, progress) : new Map();
    // Only an event seen before (a crash between its deliveries landing and its ack) can have them.
    const redelivered = batch.filter((b) => b.redelivered).map((b) => b.event.id);
    const done = await this.deliveries.eventsWithDeliveries(redelivered);
    const lease = { owner: this.config.instanceId, until: new Date(Date.now() + leaseMs) };
    const rows: Insertable<DeliveriesTable>[] = [];
    for (const effect of decideTimerEvents(batch, settled)) {
      if (!done.has(effect.event.id)) rows.push(...(await this.rowsFor(effect, lease)));
    }
    const now = new Date();
    return { rows, deliveries: rows.map((row) => asDeliveryRow(row, now)) };
  }

  private async rowsFor({ event, timer, outcome }: TimerEventEffect, lease: { owner: string; until: Date }): Promise<Insertable<DeliveriesTable>[]> {
    // The id's time: the due time for a firing (a trigger fired again after a crash is published
    // anew, with the same event id but a later occurredAt), else when the event happened.
    const idTime = event.type === 'timer.expired' || event.type === 'timer.progress' ? event.data.dueAt : event.occurredAt;
    const common = { tenantId: event.tenantId, eventId: event.id, timerId: event.aggregateId, eventTimeMs: Date.parse(idTime), lease };
    const rows = planTimerDeliveries(event, timer, outcome).map((p) =>
      newDeliveryRow({ ...common, eventType: p.eventType, target: p.target, endpointId: null, url: p.url, payload: p.payload, maxAttempts: this.schedule.length + 1 }),
    );
    const endpoints = await this.endpointsOf(event.tenantId);
    if (endpoints.length === 0) return rows;
    const envelope = { id: event.id, type: event.type, timestamp: timerEventTime(event), tenantId: event.tenantId };
    for (const p of planEndpointDeliveries(envelope, timerEventPayload(event, timer, outcome), endpoints)) {
      rows.push(newDeliveryRow({ ...common, eventType: p.eventType, target: p.endpoint.id, endpointId: p.endpoint.id, url: p.endpoint.url, payload: p.payload, maxAttempts: p.endpoint.maxAttempts }));
    }
    return rows;
  }

  private async endpointsOf(tenantId: string): Promise<EndpointTarget[]> {
    const rows = await this.endpoints.enabledFor(tenantId);
    return rows.map(toEndpointTarget);
  }
}

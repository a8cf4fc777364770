import { Inject, Injectable, Logger } from '@nestjs/common';
import { Insertable, Transaction } from 'kysely';
import { TimerEvent, TimerSpec } from '@minoots/contracts';
import { ConsumedEvent } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DeliveriesTable, DispatcherDB } from '../database/dispatcher-database.type';
import { EndpointsRepository } from '../endpoints/endpoints.repository';
import { DeliveriesRepository, DeliveryRow } from './deliveries.repository';
import { EndpointTarget, planEndpointDeliveries, timerEventPayload, timerEventTime } from './endpoint-delivery.planner';
import { newDeliveryRow } from './new-delivery-row.util';
import { RETRY_SCHEDULE } from './retry-schedule.provider';
import { planTimerDeliveries } from './timer-delivery.planner';
import { TimerOutcome } from './timer-webhook-payload.builder';

type Trx = Transaction<DispatcherDB>;

/**
 * Turns timer events into deliveries — to the timer's own webhooks and to every enabled endpoint
 * whose filter matches — in one transaction per batch. Re-applying a batch creates nothing new:
 * snapshots insert-or-ignore, terminal events land once, and a delivery is unique per
 * (event, target). Returns the deliveries this call created, already leased to this replica.
 */
@Injectable()
export class TimerEventIntake {
  private readonly logger = new Logger(TimerEventIntake.name);

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(RETRY_SCHEDULE) private readonly schedule: number[],
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
  ) {}

  async apply(batch: ConsumedEvent<TimerEvent>[], leaseMs: number): Promise<DeliveryRow[]> {
    return this.deliveries.transaction(async (trx) => {
      const rows: Insertable<DeliveriesTable>[] = [];
      const lease = { owner: this.config.instanceId, until: new Date(Date.now() + leaseMs) };
      const endpointsByTenant = new Map<string, Promise<EndpointTarget[]>>();
      const endpointsOf = (tenantId: string) => {
        if (!endpointsByTenant.has(tenantId)) endpointsByTenant.set(tenantId, this.loadEndpoints(trx, tenantId));
        return endpointsByTenant.get(tenantId)!;
      };
      const created: { tenantId: string; spec: TimerSpec }[] = [];
      const plan = async (event: TimerEvent, spec: TimerSpec, outcome: TimerOutcome) => {
        const common = { tenantId: event.tenantId, eventId: event.id, timerId: event.aggregateId, lease };
        for (const p of planTimerDeliveries(event, spec, outcome)) {
          rows.push(newDeliveryRow({ ...common, eventType: p.eventType, target: p.target, endpointId: null, url: p.url, payload: p.payload, maxAttempts: this.schedule.length + 1 }));
        }
        const envelope = { id: event.id, type: event.type, timestamp: timerEventTime(event), tenantId: event.tenantId };
        for (const p of planEndpointDeliveries(envelope, timerEventPayload(event, spec, outcome), await endpointsOf(event.tenantId))) {
          rows.push(
            newDeliveryRow({ ...common, eventType: p.eventType, target: p.endpoint.id, endpointId: p.endpoint.id, url: p.endpoint.url, payload: p.payload, maxAttempts: p.endpoint.maxAttempts }),
          );
        }
      };

      // Everything this batch needs to know is read at once; decisions are then made in stream
      // order in memory (this intake is the only writer) and written back in two statements.
      const known = new Map<string, { tenantId: string; spec: TimerSpec; status: TimerOutcome['status']; terminalSeq: number | null }>();
      for (const row of await this.deliveries.findSnapshots(trx, [...new Set(batch.map((b) => b.event.aggregateId))])) {
        known.set(row.id, { tenantId: row.tenant_id, spec: row.spec, status: row.status, terminalSeq: row.terminal_seq === null ? null : Number(row.terminal_seq) });
      }
      const ended: Parameters<DeliveriesRepository['endTimers']>[1] = [];
      for (const { event, seq } of batch) {
        if (event.type === 'timer.created') {
          if (!known.has(event.aggregateId)) {
            created.push({ tenantId: event.tenantId, spec: event.data.timer });
            known.set(event.aggregateId, { tenantId: event.tenantId, spec: event.data.timer, status: 'pending', terminalSeq: null });
          }
          await plan(event, event.data.timer, { status: 'pending', endedAt: null, reason: null });
          continue;
        }
        const snapshot = known.get(event.aggregateId);
        if (!snapshot || snapshot.tenantId !== event.tenantId) {
          this.logger.warn(`${event.type} ${event.id} for unknown timer ${event.aggregateId}: nothing to deliver`);
          continue;
        }
        switch (event.type) {
          case 'timer.progress':
            // Progress after the timer ended (a late firing racing a cancel) is not news.
            if (snapshot.status === 'pending') await plan(event, snapshot.spec, { status: 'pending', endedAt: null, reason: null });
            break;
          case 'timer.expired':
          case 'timer.cancelled': {
            // The first terminal event in the stream ends the timer, as in the scheduler's projection.
            if (snapshot.terminalSeq !== null && snapshot.terminalSeq <= seq) break;
            const status = event.type === 'timer.expired' ? 'expired' : 'cancelled';
            const at = event.type === 'timer.expired' ? event.data.firedAt : event.data.cancelledAt;
            const reason = event.type === 'timer.cancelled' ? event.data.reason : null;
            snapshot.status = status;
            snapshot.terminalSeq = seq;
            ended.push({ timerId: event.aggregateId, seq, status, at, reason });
            await plan(event, snapshot.spec, { status, endedAt: at, reason });
            break;
          }
        }
      }
      await this.deliveries.insertSnapshots(trx, created);
      await this.deliveries.endTimers(trx, ended);
      return this.deliveries.insertDeliveries(trx, rows);
    });
  }

  private async loadEndpoints(trx: Trx, tenantId: string): Promise<EndpointTarget[]> {
    const rows = await this.endpoints.listEnabled(trx, tenantId);
    return rows.map((r) => ({ id: r.id, name: r.name, url: r.url, eventTypes: r.event_types, maxAttempts: r.max_attempts }));
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { Insertable } from 'kysely';
import { ulid } from 'ulid';
import { TimerSpec } from '@minoots/contracts';
import { ConsumedEvent } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DeliveriesTable } from '../database/dispatcher-database.type';
import { DeliveriesRepository, DeliveryRow } from './deliveries.repository';
import { planTimerDeliveries, PlannedDelivery } from './timer-delivery.planner';
import { RETRY_SCHEDULE } from './retry-schedule.provider';

/**
 * Turns timer events into deliveries, in one transaction per batch. Re-applying a batch creates
 * nothing new: snapshots insert-or-ignore, terminal events land once, and a delivery is unique
 * per (event, target). Returns the deliveries this call created, already leased to this replica.
 */
@Injectable()
export class TimerEventIntake {
  private readonly logger = new Logger(TimerEventIntake.name);

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(RETRY_SCHEDULE) private readonly schedule: number[],
    private readonly deliveries: DeliveriesRepository,
  ) {}

  async apply(batch: ConsumedEvent[], leaseMs: number): Promise<DeliveryRow[]> {
    return this.deliveries.transaction(async (trx) => {
      const rows: Insertable<DeliveriesTable>[] = [];
      let created: { tenantId: string; spec: TimerSpec }[] = [];
      const flushCreated = async () => {
        await this.deliveries.insertSnapshots(trx, created);
        created = [];
      };
      const leaseUntil = new Date(Date.now() + leaseMs);
      const toRows = (event: ConsumedEvent['event'], planned: PlannedDelivery[]) =>
        planned.map((p) => ({
          id: `dlv_${ulid()}`,
          tenant_id: event.tenantId,
          event_id: event.id,
          event_type: p.eventType,
          timer_id: event.aggregateId,
          target: p.target,
          url: p.url,
          payload: JSON.stringify(p.payload),
          status: 'pending' as const,
          max_attempts: this.schedule.length + 1,
          next_attempt_at: new Date(),
          lease_owner: this.config.instanceId,
          lease_until: leaseUntil,
        }));

      for (const { event, seq } of batch) {
        if (event.type === 'timer.created') {
          created.push({ tenantId: event.tenantId, spec: event.data.timer });
          continue;
        }
        await flushCreated();
        const snapshot = await this.deliveries.findSnapshot(trx, event.aggregateId, event.tenantId);
        if (!snapshot) {
          this.logger.warn(`${event.type} ${event.id} for unknown timer ${event.aggregateId}: nothing to deliver`);
          continue;
        }
        const spec = snapshot.spec;
        switch (event.type) {
          case 'timer.progress':
            // Progress after the timer ended (a late firing racing a cancel) is not news.
            if (snapshot.status === 'pending') {
              rows.push(...toRows(event, planTimerDeliveries(event, spec, { status: 'pending', endedAt: null, reason: null })));
            }
            break;
          case 'timer.expired':
          case 'timer.cancelled': {
            const status = event.type === 'timer.expired' ? 'expired' : 'cancelled';
            const at = event.type === 'timer.expired' ? event.data.firedAt : event.data.cancelledAt;
            const reason = event.type === 'timer.cancelled' ? event.data.reason : null;
            if (await this.deliveries.endTimer(trx, { timerId: event.aggregateId, seq, status, at, reason })) {
              rows.push(...toRows(event, planTimerDeliveries(event, spec, { status, endedAt: at, reason })));
            }
            break;
          }
        }
      }
      await flushCreated();
      return this.deliveries.insertDeliveries(trx, rows);
    });
  }
}

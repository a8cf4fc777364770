import { TimerEvent, TimerSnapshot } from '@minoots/contracts';
import { buildTimerWebhookPayload, TimerOutcome } from './timer-webhook-payload.builder';
import { progressInfo } from './endpoint-delivery.planner';

export interface PlannedDelivery {
  target: 'on_expire' | 'on_progress' | 'on_cancel';
  url: string;
  eventType: TimerEvent['type'];
  payload: Record<string, unknown>;
}

/**
 * Which of a timer's own webhooks an event goes to, and with what body. `outcome` is the timer's
 * state after the event (the caller decided whether the event took effect).
 */
export function planTimerDeliveries(event: TimerEvent, spec: TimerSnapshot, outcome: TimerOutcome): PlannedDelivery[] {
  const { on_expire, on_progress, on_cancel } = spec.events;
  switch (event.type) {
    case 'timer.created':
      return [];
    case 'timer.progress': {
      if (!on_progress) return [];
      return [
        {
          target: 'on_progress',
          url: on_progress.webhook,
          eventType: event.type,
          payload: buildTimerWebhookPayload('timer_progress', spec, outcome, {
            message: on_progress.message,
            data: on_progress.data,
            progress: progressInfo(event, spec),
            at: event.data.firedAt,
          }),
        },
      ];
    }
    case 'timer.expired':
      return on_expire
        ? [
            {
              target: 'on_expire',
              url: on_expire.webhook,
              eventType: event.type,
              payload: buildTimerWebhookPayload('timer_expired', spec, outcome, {
                message: on_expire.message,
                data: on_expire.data,
                at: event.data.firedAt,
              }),
            },
          ]
        : [];
    case 'timer.cancelled': {
      // A cancelled timer tells its on_cancel webhook, or else the on_expire one.
      const target = on_cancel ?? on_expire;
      if (!target) return [];
      return [
        {
          target: on_cancel ? 'on_cancel' : 'on_expire',
          url: target.webhook,
          eventType: event.type,
          payload: buildTimerWebhookPayload('timer_cancelled', spec, outcome, {
            message: target.message,
            data: target.data,
            at: event.data.cancelledAt,
          }),
        },
      ];
    }
  }
}

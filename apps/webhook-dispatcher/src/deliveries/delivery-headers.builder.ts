import { signMinoots, standardWebhookSignatureHeader } from '@minoots/signing';

export const DELIVERY_USER_AGENT = 'MINOOTS-Webhooks/1.0 (+https://github.com/minoots)';

export interface DeliveryHeaderInput {
  deliveryId: string;
  webhookId: string;
  eventType: string;
  attempt: number;
  body: string;
  /** Current secret first; during a rotation grace period, the previous one too. */
  secrets: string[];
  now?: Date;
}

/** Every header a delivery carries: the seeds' signature, Standard Webhooks, and ids for dedup. */
export function buildDeliveryHeaders(input: DeliveryHeaderInput): Record<string, string> {
  const timestamp = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': DELIVERY_USER_AGENT,
    'x-minoots-signature': signMinoots(input.body, input.secrets[0]),
    'webhook-id': input.deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhookSignatureHeader({ id: input.deliveryId, timestamp, body: input.body }, input.secrets),
    'x-delivery-id': input.deliveryId,
    'x-webhook-id': input.webhookId,
    'x-event-type': input.eventType,
    'x-minoots-attempt': String(input.attempt),
  };
}

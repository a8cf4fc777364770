import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AnyEvent, createEvent } from '@minoots/contracts';
import { EventPublisher } from '@minoots/messaging';
import { EndpointRow, EndpointsRepository } from '../endpoints/endpoints.repository';
import { DeliveriesRepository } from './deliveries.repository';
import { planEndpointDeliveries, toEndpointTarget } from './endpoint-delivery.planner';
import { newDeliveryRow } from './new-delivery-row.util';

/**
 * Outcome events are news, not part of the delivery: they are gathered for this long and published
 * together, one write to NATS for many (at thousands of deliveries a second, one socket write per
 * event was a tenth of the dispatcher's CPU), and JetStream's confirmations are not waited for.
 */
const PUBLISH_WINDOW_MS = 25;

/**
 * Tells the world what happened to deliveries and endpoints: `delivery.*` and `endpoint.*` events
 * on the bus, and `endpoint.failing` / `endpoint.disabled` to the tenant's other subscribed
 * endpoints. The delivery tables stay the record; a lost event never loses a delivery.
 */
@Injectable()
export class DeliveryOutcomes implements OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryOutcomes.name);
  private pending: AnyEvent[] = [];
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
  ) {}

  publish(event: AnyEvent): void {
    this.pending.push(event);
    this.flushTimer ??= setTimeout(() => this.flush(), PUBLISH_WINDOW_MS);
  }

  onApplicationShutdown(): void {
    this.flush();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const events = this.pending;
    this.pending = [];
    for (const event of events) {
      try {
        this.publisher.publishUnconfirmed(event);
      } catch (error) {
        this.logger.warn(`could not publish ${event.type} ${event.id}: ${(error as Error).message}`);
      }
    }
  }

  async endpointHealthChanged(endpoint: EndpointRow, health: 'failing' | 'disabled'): Promise<void> {
    const type = health === 'failing' ? 'endpoint.failing' : 'endpoint.disabled';
    const data = {
      endpointId: endpoint.id,
      name: endpoint.name,
      url: endpoint.url,
      consecutiveFailures: endpoint.consecutive_failures,
      reason: endpoint.disabled_reason ?? `${endpoint.consecutive_failures} consecutive failed attempts`,
    };
    const event = createEvent(type, { tenantId: endpoint.tenant_id, aggregateId: endpoint.id, data });
    this.publish(event);
    await this.deliveries.transaction(async (trx) => {
      const others = (await this.endpoints.listEnabled(trx, endpoint.tenant_id)).filter((e) => e.id !== endpoint.id);
      const envelope = { id: event.id, type, timestamp: event.occurredAt, tenantId: endpoint.tenant_id };
      // Unleased: the sweeper picks these up within a second.
      const rows = planEndpointDeliveries(envelope, data, others.map(toEndpointTarget)).map((p) =>
        newDeliveryRow({
          tenantId: endpoint.tenant_id,
          eventId: event.id,
          eventType: type,
          timerId: null,
          target: p.endpoint.id,
          endpointId: p.endpoint.id,
          url: p.endpoint.url,
          payload: p.payload,
          maxAttempts: p.endpoint.maxAttempts,
        }),
      );
      await this.deliveries.insertDeliveries(trx, rows);
    });
  }
}

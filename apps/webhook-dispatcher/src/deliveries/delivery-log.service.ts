import { Inject, Injectable } from '@nestjs/common';
import { newUlid as ulid } from '@minoots/contracts';
import { DeliveryView, EndpointStats, QueryRequest, QueryResponse } from '@minoots/contracts';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { decodeCursor, encodeCursor } from '../common/cursor.util';
import { queryError } from '../common/query-error.util';
import { EndpointsService } from '../endpoints/endpoints.service';
import { DeliveriesRepository, DeliveryRow } from './deliveries.repository';
import { DeliveryLogRepository } from './delivery-log.repository';
import { DeliverySender } from './delivery-sender.service';
import { toDeliveryView } from './delivery-view.mapper';
import { buildEndpointEnvelope } from './endpoint-delivery.planner';
import { newDeliveryRow } from './new-delivery-row.util';
import { RETRY_SCHEDULE } from './retry-schedule.provider';

const STATS_WINDOW_MS = 24 * 3600_000;

function parseDate(field: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw queryError(400, 'INVALID_DATE', `${field}: "${value.slice(0, 64)}" is not an ISO-8601 date-time`);
  return date;
}

/** The delivery log (list, detail with attempts, per-endpoint statistics), replays and test sends. */
@Injectable()
export class DeliveryLogService {
  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(RETRY_SCHEDULE) private readonly schedule: number[],
    private readonly log: DeliveryLogRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsService,
    private readonly sender: DeliverySender,
  ) {}

  async list(request: QueryRequest<'deliveries.list'>): Promise<QueryResponse<'deliveries.list'>> {
    const before = request.cursor ? decodeCursor(request.cursor) : undefined;
    if (request.cursor && !before) throw queryError(400, 'INVALID_CURSOR', 'cursor is not one this API returned');
    const rows = await this.log.list({
      ...request,
      from: parseDate('from', request.from),
      to: parseDate('to', request.to),
      limit: request.limit + 1,
      beforeId: before,
    });
    const page = rows.slice(0, request.limit);
    const last = page[page.length - 1];
    return { items: page.map((r) => toDeliveryView(r)), nextCursor: rows.length > request.limit && last ? encodeCursor(last.id) : null };
  }

  async get({ tenantId, deliveryId }: QueryRequest<'deliveries.get'>): Promise<DeliveryView> {
    const row = await this.require(tenantId, deliveryId);
    return toDeliveryView(row, { attempts: await this.log.attempts(row.id) });
  }

  async replay({ tenantId, deliveryId }: QueryRequest<'deliveries.replay'>): Promise<DeliveryView> {
    const row = await this.require(tenantId, deliveryId);
    if (row.status === 'pending') throw queryError(409, 'DELIVERY_PENDING', `Delivery ${deliveryId} is still being attempted`);
    const [replayed] = await this.replayRows([row.id]);
    return toDeliveryView(replayed ?? row);
  }

  async replayDead({ tenantId, endpointId, from, to }: QueryRequest<'endpoints.replay-dead'>): Promise<QueryResponse<'endpoints.replay-dead'>> {
    await this.endpoints.require(tenantId, endpointId);
    const ids = await this.log.deadIds(tenantId, endpointId, parseDate('from', from), parseDate('to', to));
    const replayed = await this.replayRows(ids);
    return { replayed: replayed.length, deliveryIds: replayed.map((r) => r.id) };
  }

  /** Sends a `webhook.test` event through the real delivery path and answers with its first attempt. */
  async test({ tenantId, endpointId }: QueryRequest<'endpoints.test'>): Promise<DeliveryView> {
    const endpoint = await this.endpoints.require(tenantId, endpointId);
    const eventId = `evt_${ulid()}`;
    const envelope = buildEndpointEnvelope(
      { id: eventId, type: 'webhook.test', timestamp: new Date().toISOString(), tenantId },
      { message: 'This is a test event from MINOOTS. Your endpoint is reachable and verifying signatures works.' },
      endpoint,
    );
    const row = newDeliveryRow({
      tenantId,
      eventId,
      eventType: 'webhook.test',
      timerId: null,
      target: endpoint.id,
      endpointId: endpoint.id,
      url: endpoint.url,
      payload: envelope,
      maxAttempts: 1,
      lease: { owner: this.config.instanceId, until: new Date(Date.now() + this.sender.leaseMs) },
    });
    const [created] = await this.deliveries.transaction((trx) => this.deliveries.insertDeliveries(trx, [row]));
    await this.sender.attempt(created);
    return this.get({ tenantId, deliveryId: created.id });
  }

  async stats({ tenantId, endpointId, since }: QueryRequest<'endpoints.stats'>): Promise<EndpointStats> {
    await this.endpoints.require(tenantId, endpointId);
    const from = parseDate('since', since) ?? new Date(Date.now() - STATS_WINDOW_MS);
    const { deliveries, attempts, errors } = await this.log.endpointStats(endpointId, from);
    const round = (n: number | null) => (n === null ? null : Math.round(Number(n) * 10) / 10);
    return {
      endpointId,
      since: from.toISOString(),
      deliveries: { total: deliveries.total, succeeded: deliveries.succeeded, dead: deliveries.dead, pending: deliveries.pending },
      attempts: { total: attempts.total, succeeded: attempts.succeeded, failed: attempts.total - attempts.succeeded },
      successRate: attempts.total > 0 ? round((attempts.succeeded / attempts.total) * 100) : null,
      latencyMs: { average: round(attempts.average), p95: round(attempts.p95) },
      errorsByKind: Object.fromEntries(errors.map((e) => [e.kind, Number(e.count)])),
      retryRate: deliveries.attempted > 0 ? round((deliveries.retried / deliveries.attempted) * 100) : null,
      rateLimitHits: Number(deliveries.rate_limit_hits),
    };
  }

  private async replayRows(ids: string[]): Promise<DeliveryRow[]> {
    const replayed = await this.log.replay(ids, this.config.instanceId, this.sender.leaseMs, this.schedule.length + 1);
    for (const row of replayed) this.sender.dispatch(row);
    return replayed;
  }

  private async require(tenantId: string, deliveryId: string): Promise<DeliveryRow> {
    const row = await this.log.find(tenantId, deliveryId);
    if (!row) throw queryError(404, 'DELIVERY_NOT_FOUND', `No delivery ${deliveryId}`);
    return row;
  }
}

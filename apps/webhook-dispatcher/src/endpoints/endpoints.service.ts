import { Inject, Injectable } from '@nestjs/common';
import { newUlid as ulid } from '@minoots/contracts';
import { EndpointView, QueryRequest, QueryResponse } from '@minoots/contracts';
import { generateSecret, SecretBox, signStandardWebhook } from '@minoots/signing';
import { UrlPolicy } from '@minoots/url-policy';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { decodeCursor, encodeCursor } from '../common/cursor.util';
import { queryError } from '../common/query-error.util';
import { EndpointRow, EndpointsRepository } from './endpoints.repository';
import { toEndpointView } from './endpoint-view.mapper';
import { isValidEventTypeFilter } from './event-type-filter.util';

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 60;
export const DEFAULT_ENDPOINT_MAX_ATTEMPTS = 5;

/** Endpoint subscriptions: the rules that the gateway's shape validation cannot know. */
@Injectable()
export class EndpointsService {
  constructor(
    private readonly endpoints: EndpointsRepository,
    private readonly box: SecretBox,
    private readonly urlPolicy: UrlPolicy,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
  ) {}

  async create({ tenantId, input }: QueryRequest<'endpoints.create'>): Promise<EndpointView> {
    this.checkUrl(input.url);
    this.checkEventTypes(input.eventTypes);
    const secret = input.secret ?? generateSecret();
    this.checkSecret(secret);
    const row = await this.endpoints.insertWithinLimit(
      {
        id: `wh_${ulid().toLowerCase()}`,
        tenant_id: tenantId,
        name: input.name,
        url: input.url,
        description: input.description ?? null,
        event_types: input.eventTypes,
        secret_sealed: this.box.seal(secret),
        enabled: input.enabled ?? true,
        health: 'healthy',
        rate_limit_per_minute: input.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
        max_attempts: input.maxAttempts ?? DEFAULT_ENDPOINT_MAX_ATTEMPTS,
        metadata: JSON.stringify(input.metadata ?? null),
      },
      this.config.MAX_ENDPOINTS_PER_TENANT,
    );
    if (!row) {
      throw queryError(409, 'ENDPOINT_LIMIT_REACHED', `A tenant can have at most ${this.config.MAX_ENDPOINTS_PER_TENANT} endpoints; delete one first`);
    }
    return { ...toEndpointView(row), secret };
  }

  async list({ tenantId, limit, cursor }: QueryRequest<'endpoints.list'>): Promise<QueryResponse<'endpoints.list'>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    if (cursor && !after) throw queryError(400, 'INVALID_CURSOR', 'cursor is not one this API returned');
    const rows = await this.endpoints.list(tenantId, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toEndpointView), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  async get({ tenantId, endpointId }: QueryRequest<'endpoints.get'>): Promise<EndpointView> {
    return toEndpointView(await this.require(tenantId, endpointId));
  }

  async update({ tenantId, endpointId, changes }: QueryRequest<'endpoints.update'>): Promise<EndpointView> {
    const current = await this.require(tenantId, endpointId);
    if (changes.url !== undefined) this.checkUrl(changes.url);
    if (changes.eventTypes !== undefined) this.checkEventTypes(changes.eventTypes);
    if (changes.secret !== undefined) throw queryError(400, 'SECRET_NOT_UPDATABLE', 'Use POST /webhooks/:id/rotate-secret to change the secret');
    // Re-enabling starts the endpoint afresh: healthy, no failures counted, paused deliveries resume.
    const reenabled = changes.enabled === true && !current.enabled;
    const row = await this.endpoints.update(tenantId, endpointId, {
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.url !== undefined && { url: changes.url }),
      ...(changes.eventTypes !== undefined && { event_types: changes.eventTypes }),
      ...(changes.description !== undefined && { description: changes.description }),
      ...(changes.metadata !== undefined && { metadata: JSON.stringify(changes.metadata) }),
      ...(changes.rateLimitPerMinute !== undefined && { rate_limit_per_minute: changes.rateLimitPerMinute }),
      ...(changes.maxAttempts !== undefined && { max_attempts: changes.maxAttempts }),
      ...(changes.enabled !== undefined && { enabled: changes.enabled }),
      ...(changes.enabled === false && { disabled_reason: 'disabled by the tenant' }),
      ...(reenabled && { health: 'healthy' as const, consecutive_failures: 0, disabled_reason: null }),
    });
    if (!row) throw this.notFound(endpointId);
    return toEndpointView(row);
  }

  async delete({ tenantId, endpointId }: QueryRequest<'endpoints.delete'>): Promise<QueryResponse<'endpoints.delete'>> {
    const { deleted, deadLettered } = await this.endpoints.softDelete(tenantId, endpointId);
    if (!deleted) throw this.notFound(endpointId);
    return { deleted: true, deadLettered };
  }

  async rotateSecret({ tenantId, endpointId, graceSeconds }: QueryRequest<'endpoints.rotate-secret'>): Promise<EndpointView> {
    const secret = generateSecret();
    const expiresAt = new Date(Date.now() + graceSeconds * 1000);
    const row = await this.endpoints.rotateSecret(tenantId, endpointId, this.box.seal(secret), expiresAt);
    if (!row) throw this.notFound(endpointId);
    return { ...toEndpointView(row), secret, previousSecretExpiresAt: graceSeconds > 0 ? expiresAt.toISOString() : null };
  }

  /** Current secret first, then the rotated-out one while its grace period lasts. */
  secretsOf(row: EndpointRow): string[] {
    const current = this.box.open(row.secret_sealed);
    const previousValid =
      row.previous_secret_sealed && row.previous_secret_expires_at && new Date(row.previous_secret_expires_at).getTime() > Date.now();
    return previousValid ? [current, this.box.open(row.previous_secret_sealed!)] : [current];
  }

  async require(tenantId: string, endpointId: string): Promise<EndpointRow> {
    const row = await this.endpoints.find(tenantId, endpointId);
    if (!row) throw this.notFound(endpointId);
    return row;
  }

  private notFound(endpointId: string) {
    return queryError(404, 'ENDPOINT_NOT_FOUND', `No webhook endpoint ${endpointId}`);
  }

  private checkUrl(url: string): void {
    const verdict = this.urlPolicy.checkUrl(url);
    if (verdict.ok) return;
    if (verdict.malformed) throw queryError(400, 'INVALID_WEBHOOK_URL', `url: "${url.slice(0, 100)}" is not a URL`);
    throw queryError(422, 'WEBHOOK_URL_REFUSED', `url: ${verdict.reason}`);
  }


  private checkEventTypes(eventTypes: string[]): void {
    const unknown = eventTypes.filter((t) => !isValidEventTypeFilter(t));
    if (unknown.length > 0) {
      throw queryError(400, 'INVALID_EVENT_TYPES', `eventTypes: unknown ${unknown.map((t) => `"${t}"`).join(', ')}; use e.g. "timer.expired", "timer.*" or "*"`);
    }
  }

  private checkSecret(secret: string): void {
    try {
      signStandardWebhook({ id: 'check', timestamp: 0, body: '', secret });
    } catch (error) {
      throw queryError(400, 'INVALID_SECRET', `secret: ${(error as Error).message}`);
    }
  }
}

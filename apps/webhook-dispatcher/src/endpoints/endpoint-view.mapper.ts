import { EndpointView } from '@minoots/contracts';
import { EndpointRow } from './endpoints.repository';

export function toEndpointView(row: EndpointRow): EndpointView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    state: row.enabled ? (row.health === 'disabled' ? 'healthy' : row.health) : 'disabled',
    disabledReason: row.enabled ? null : row.disabled_reason,
    consecutiveFailures: row.consecutive_failures,
    rateLimitPerMinute: row.rate_limit_per_minute,
    maxAttempts: row.max_attempts,
    metadata: row.metadata,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

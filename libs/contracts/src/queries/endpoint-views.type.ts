/** Event types an endpoint can subscribe to (exactly, as `<category>.*`, or all with `*`). */
export const DELIVERABLE_EVENT_TYPES = [
  'timer.created',
  'timer.progress',
  'timer.expired',
  'timer.cancelled',
  'endpoint.failing',
  'endpoint.disabled',
  'webhook.test',
] as const;
export type DeliverableEventType = (typeof DELIVERABLE_EVENT_TYPES)[number];

export interface EndpointInput {
  name: string;
  url: string;
  eventTypes: string[];
  secret?: string;
  enabled?: boolean;
  rateLimitPerMinute?: number;
  maxAttempts?: number;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface EndpointView {
  id: string;
  name: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  /** healthy → failing (a run of failed attempts) → disabled (automatically, or by 410 Gone). */
  state: 'healthy' | 'failing' | 'disabled';
  disabledReason: string | null;
  consecutiveFailures: number;
  rateLimitPerMinute: number;
  maxAttempts: number;
  metadata: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  /** Only in the answers to create and rotate-secret: it is never shown again. */
  secret?: string;
  previousSecretExpiresAt?: string | null;
}

export interface DeliveryAttemptView {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
  outcome: 'succeeded' | 'failed';
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  timerId: string | null;
  endpointId: string | null;
  target: string;
  url: string;
  status: 'pending' | 'succeeded' | 'dead';
  attemptCount: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  rateLimitedCount: number;
  createdAt: string;
  completedAt: string | null;
  attempts?: DeliveryAttemptView[];
  payload?: unknown;
}

export interface EndpointStats {
  endpointId: string;
  since: string;
  deliveries: { total: number; succeeded: number; dead: number; pending: number };
  attempts: { total: number; succeeded: number; failed: number };
  successRate: number | null;
  latencyMs: { average: number | null; p95: number | null };
  errorsByKind: Record<string, number>;
  /** Share of deliveries that needed more than one attempt. */
  retryRate: number | null;
  rateLimitHits: number;
}

/** An error a service answers a query with; the gateway turns it into the HTTP error. */
export interface QueryErrorBody {
  status: number;
  code: string;
  message: string;
}

export function isQueryErrorBody(value: unknown): value is QueryErrorBody {
  const v = value as Partial<QueryErrorBody> | null;
  return typeof v?.status === 'number' && typeof v.code === 'string' && typeof v.message === 'string';
}

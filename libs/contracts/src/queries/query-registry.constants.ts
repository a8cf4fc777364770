import { TimerStatus, TimerView } from '../timers/timer-view.type';
import { resolveNamespace } from '../events/namespace.util';
import { DeliveryView, EndpointInput, EndpointStats, EndpointView } from './endpoint-views.type';

type Tenant = { tenantId: string };
type Page<T> = { items: T[]; nextCursor: string | null };

/** Request/reply queries between services (NATS core, through @nestjs/microservices). */
export interface QueryContracts {
  'timers.get': {
    request: { tenantId: string; timerId: string; minSeq?: number };
    response: { timer: TimerView | null };
  };
  'timers.list': {
    request: {
      tenantId: string;
      status?: TimerStatus;
      agentId?: string;
      name?: string;
      limit: number;
      cursor?: string;
      minSeq?: number;
    };
    response: { timers: TimerView[]; nextCursor: string | null };
  };
  'signing-secret.get': {
    request: { tenantId: string };
    response: SigningSecretView;
  };
  'signing-secret.rotate': {
    request: { tenantId: string; graceSeconds: number };
    response: SigningSecretView;
  };
  'endpoints.create': { request: Tenant & { input: EndpointInput }; response: EndpointView };
  'endpoints.list': { request: Tenant & { limit: number; cursor?: string }; response: Page<EndpointView> };
  'endpoints.get': { request: Tenant & { endpointId: string }; response: EndpointView };
  'endpoints.update': { request: Tenant & { endpointId: string; changes: Partial<EndpointInput> }; response: EndpointView };
  'endpoints.delete': { request: Tenant & { endpointId: string }; response: { deleted: true; deadLettered: number } };
  'endpoints.rotate-secret': { request: Tenant & { endpointId: string; graceSeconds: number }; response: EndpointView };
  'endpoints.test': { request: Tenant & { endpointId: string }; response: DeliveryView };
  'endpoints.stats': { request: Tenant & { endpointId: string; since?: string }; response: EndpointStats };
  'endpoints.replay-dead': {
    request: Tenant & { endpointId: string; from?: string; to?: string };
    response: { replayed: number; deliveryIds: string[] };
  };
  'deliveries.list': {
    request: Tenant & {
      endpointId?: string;
      timerId?: string;
      status?: DeliveryView['status'];
      eventType?: string;
      from?: string;
      to?: string;
      limit: number;
      cursor?: string;
    };
    response: Page<DeliveryView>;
  };
  'deliveries.get': { request: Tenant & { deliveryId: string }; response: DeliveryView };
  'deliveries.replay': { request: Tenant & { deliveryId: string }; response: DeliveryView };
}

export interface SigningSecretView {
  secret: string;
  createdAt: string;
  /** The secret replaced by the last rotation, still signing until `previousExpiresAt`. */
  previousSecretExpiresAt: string | null;
}

export type QueryName = keyof QueryContracts;
export type QueryRequest<Q extends QueryName> = QueryContracts[Q]['request'];
export type QueryResponse<Q extends QueryName> = QueryContracts[Q]['response'];

/** The owning service answers; its replicas share the work as one NATS queue group. */
export const QUERY_OWNERS = {
  'timers.get': 'scheduler',
  'timers.list': 'scheduler',
  'signing-secret.get': 'dispatcher',
  'signing-secret.rotate': 'dispatcher',
  'endpoints.create': 'dispatcher',
  'endpoints.list': 'dispatcher',
  'endpoints.get': 'dispatcher',
  'endpoints.update': 'dispatcher',
  'endpoints.delete': 'dispatcher',
  'endpoints.rotate-secret': 'dispatcher',
  'endpoints.test': 'dispatcher',
  'endpoints.stats': 'dispatcher',
  'endpoints.replay-dead': 'dispatcher',
  'deliveries.list': 'dispatcher',
  'deliveries.get': 'dispatcher',
  'deliveries.replay': 'dispatcher',
} as const satisfies Record<QueryName, string>;

/** Read at import time on purpose: NestJS `@MessagePattern` needs the subject when the class is declared. */
export function queryPattern(name: QueryName, namespace = resolveNamespace()): string {
  return `${namespace}.q.${QUERY_OWNERS[name]}.${name}`;
}

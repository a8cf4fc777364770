import { TimerStatus, TimerView } from '../timers/timer-view.type';
import { resolveNamespace } from '../events/namespace.util';

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
} as const satisfies Record<QueryName, string>;

/** Read at import time on purpose: NestJS `@MessagePattern` needs the subject when the class is declared. */
export function queryPattern(name: QueryName, namespace = resolveNamespace()): string {
  return `${namespace}.q.${QUERY_OWNERS[name]}.${name}`;
}

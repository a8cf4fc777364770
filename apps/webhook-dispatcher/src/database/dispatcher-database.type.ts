import { ColumnType, Generated, Kysely } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SigningSecretsTable {
  tenant_id: string;
  /** Sealed with SecretBox: signing needs the secret itself, so it is encrypted rather than hashed. */
  secret_sealed: string;
  created_at: Timestamp;
  previous_sealed: string | null;
  previous_expires_at: Timestamp | null;
}

export type TerminalStatus = 'expired' | 'cancelled';

/** Per timer, the first terminal event in the stream (the one that took effect). */
export interface TimerTerminalsTable {
  timer_id: string;
  seq: number;
  status: TerminalStatus;
  ended_at: Timestamp;
  recorded_at: DefaultedTimestamp;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'dead';

export type EndpointHealth = 'healthy' | 'failing' | 'disabled';

export interface EndpointsTable {
  id: string;
  tenant_id: string;
  name: string;
  url: string;
  description: string | null;
  event_types: string[];
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Timestamp | null;
  enabled: boolean;
  health: EndpointHealth;
  disabled_reason: string | null;
  rate_limit_per_minute: number;
  max_attempts: number;
  metadata: Json<Record<string, unknown> | null>;
  consecutive_failures: Generated<number>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  deleted_at: Timestamp | null;
}

export interface DeliveriesTable {
  id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  timer_id: string | null;
  /** What the delivery goes to: a timer's own webhook (`on_expire`, …) or, later, an endpoint id. */
  target: string;
  url: string;
  /** The exact bytes sent, so every attempt and a replay sign and send the same body. */
  payload: string;
  status: DeliveryStatus;
  attempt_count: Generated<number>;
  max_attempts: number;
  created_at: DefaultedTimestamp;
  next_attempt_at: Timestamp | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  last_error: string | null;
  completed_at: Timestamp | null;
  endpoint_id: string | null;
  /** Times an attempt was put off by the endpoint's rate limit (it delays, never drops). */
  rate_limited_count: Generated<number>;
}

export interface DeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  started_at: Timestamp;
  duration_ms: number;
  status_code: number | null;
  response_excerpt: string | null;
  error: string | null;
  outcome: 'succeeded' | 'failed';
}

export interface DispatcherDB {
  'dispatcher.signing_secrets': SigningSecretsTable;
  'dispatcher.timer_terminals': TimerTerminalsTable;
  'dispatcher.deliveries': DeliveriesTable;
  'dispatcher.endpoints': EndpointsTable;
  'dispatcher.delivery_attempts': DeliveryAttemptsTable;
}

export type DispatcherDatabase = Kysely<DispatcherDB>;
export const DISPATCHER_DATABASE = Symbol('DISPATCHER_DATABASE');
export const DISPATCHER_SCHEMA = 'dispatcher';

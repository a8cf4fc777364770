import { ColumnType, Kysely } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable {
  id: string;
  name: string;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  mode: 'live' | 'test';
  /** The first characters, to recognise a key in listings without storing it. */
  prefix: string;
  /** SHA-256 of the key: keys are 190+ bits of randomness, so a slow hash buys nothing. */
  key_hash: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  request_hash: string;
  /** The TimerCreated event, re-published (deduplicated) when the same request comes again. */
  event: Json<unknown>;
  response: Json<unknown>;
  created_at: Timestamp;
}

export interface GatewayDB {
  'gateway.tenants': TenantsTable;
  'gateway.api_keys': ApiKeysTable;
  'gateway.idempotency_keys': IdempotencyKeysTable;
}

export type GatewayDatabase = Kysely<GatewayDB>;
export const GATEWAY_DATABASE = Symbol('GATEWAY_DATABASE');
export const GATEWAY_SCHEMA = 'gateway';

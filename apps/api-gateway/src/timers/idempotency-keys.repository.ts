import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_DATABASE, GatewayDatabase } from '../database/gateway-database.type';

export interface IdempotentCreate {
  requestHash: string;
  event: unknown;
  response: unknown;
}

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_HOURS = 24;

@Injectable()
export class IdempotencyKeysRepository {
  constructor(@Inject(GATEWAY_DATABASE) private readonly db: GatewayDatabase) {}

  async find(tenantId: string, key: string): Promise<IdempotentCreate | undefined> {
    const row = await this.db
      .selectFrom('gateway.idempotency_keys')
      .select(['request_hash', 'event', 'response'])
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .where('created_at', '>', new Date(Date.now() - IDEMPOTENCY_TTL_HOURS * 3600_000))
      .executeTakeFirst();
    return row ? { requestHash: row.request_hash, event: row.event, response: row.response } : undefined;
  }

  /** Returns false when another request claimed the key first (then `find` returns its outcome). */
  async insert(tenantId: string, key: string, entry: IdempotentCreate): Promise<boolean> {
    await this.deleteExpired(tenantId, key);
    const inserted = await this.db
      .insertInto('gateway.idempotency_keys')
      .values({
        tenant_id: tenantId,
        key,
        request_hash: entry.requestHash,
        event: JSON.stringify(entry.event),
        response: JSON.stringify(entry.response),
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  private async deleteExpired(tenantId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('gateway.idempotency_keys')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .where('created_at', '<=', new Date(Date.now() - IDEMPOTENCY_TTL_HOURS * 3600_000))
      .execute();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { newUlid as ulid } from '@minoots/contracts';
import { GATEWAY_DATABASE, GatewayDatabase } from '../database/gateway-database.type';
import { apiKeyMode, apiKeyPrefix, hashApiKey } from './api-key.util';

export interface ApiKeyOwner {
  keyId: string;
  tenantId: string;
  mode: 'live' | 'test';
}

export interface ApiKeyListing {
  id: string;
  tenantId: string;
  tenantName: string;
  name: string;
  mode: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(GATEWAY_DATABASE) private readonly db: GatewayDatabase) {}

  async findActiveByHash(keyHash: string): Promise<ApiKeyOwner | undefined> {
    const row = await this.db
      .selectFrom('gateway.api_keys')
      .select(['id', 'tenant_id', 'mode'])
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? { keyId: row.id, tenantId: row.tenant_id, mode: row.mode } : undefined;
  }

  /** Finds or creates the tenant by name; concurrent callers get the same tenant. */
  async ensureTenant(name: string, id = `ten_${ulid()}`): Promise<string> {
    await this.db.insertInto('gateway.tenants').values({ id, name }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await this.db.selectFrom('gateway.tenants').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    return row.id;
  }

  /** Stores only the hash; returns false if this exact key already exists. */
  async insertKey(tenantId: string, key: string, name: string): Promise<{ id: string; created: boolean }> {
    const id = `key_${ulid()}`;
    const inserted = await this.db
      .insertInto('gateway.api_keys')
      .values({ id, tenant_id: tenantId, name, mode: apiKeyMode(key), prefix: apiKeyPrefix(key), key_hash: hashApiKey(key) })
      .onConflict((oc) => oc.column('key_hash').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id, created: true };
    const existing = await this.db.selectFrom('gateway.api_keys').select('id').where('key_hash', '=', hashApiKey(key)).executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }

  async countActive(): Promise<number> {
    const row = await this.db
      .selectFrom('gateway.api_keys')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async revoke(keyId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('gateway.api_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async list(tenantName?: string): Promise<ApiKeyListing[]> {
    let query = this.db
      .selectFrom('gateway.api_keys as k')
      .innerJoin('gateway.tenants as t', 't.id', 'k.tenant_id')
      .select(['k.id', 'k.tenant_id', 't.name as tenant_name', 'k.name', 'k.mode', 'k.prefix', 'k.created_at', 'k.revoked_at']);
    if (tenantName) query = query.where('t.name', '=', tenantName);
    const rows = await query.orderBy('k.created_at').execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      tenantName: r.tenant_name,
      name: r.name,
      mode: r.mode,
      prefix: r.prefix,
      createdAt: new Date(r.created_at),
      revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    }));
  }
}

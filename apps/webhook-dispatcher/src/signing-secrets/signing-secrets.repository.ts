import { Inject, Injectable } from '@nestjs/common';
import { Selectable } from 'kysely';
import { DISPATCHER_DATABASE, DispatcherDatabase, SigningSecretsTable } from '../database/dispatcher-database.type';

export type SigningSecretRow = Selectable<SigningSecretsTable>;

@Injectable()
export class SigningSecretsRepository {
  constructor(@Inject(DISPATCHER_DATABASE) private readonly db: DispatcherDatabase) {}

  /**
   * The tenant's row, created (with `newSealed()`) on first use; concurrent callers all end up
   * with the same row. The common case is one read.
   */
  async getOrCreate(tenantId: string, newSealed: () => string): Promise<SigningSecretRow> {
    const find = () => this.db.selectFrom('dispatcher.signing_secrets').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    const existing = await find();
    if (existing) return existing;
    await this.db
      .insertInto('dispatcher.signing_secrets')
      .values({ tenant_id: tenantId, secret_sealed: newSealed(), created_at: new Date() })
      .onConflict((oc) => oc.column('tenant_id').doNothing())
      .execute();
    return (await find())!;
  }

  async rotate(tenantId: string, sealed: string, previousExpiresAt: Date): Promise<SigningSecretRow> {
    return this.db
      .updateTable('dispatcher.signing_secrets')
      .set((eb) => ({
        previous_sealed: eb.ref('secret_sealed'),
        previous_expires_at: previousExpiresAt,
        secret_sealed: sealed,
        created_at: new Date(),
      }))
      .where('tenant_id', '=', tenantId)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Selectable } from 'kysely';
import { DISPATCHER_DATABASE, DispatcherDatabase, SigningSecretsTable } from '../database/dispatcher-database.type';

export type SigningSecretRow = Selectable<SigningSecretsTable>;

@Injectable()
export class SigningSecretsRepository {
  constructor(@Inject(DISPATCHER_DATABASE) private readonly db: DispatcherDatabase) {}

  /** Inserts unless the tenant has one already; concurrent callers all end up with the same row. */
  async getOrCreate(tenantId: string, sealed: string): Promise<SigningSecretRow> {
    await this.db
      .insertInto('dispatcher.signing_secrets')
      .values({ tenant_id: tenantId, secret_sealed: sealed, created_at: new Date() })
      .onConflict((oc) => oc.column('tenant_id').doNothing())
      .execute();
    return this.db.selectFrom('dispatcher.signing_secrets').selectAll().where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
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

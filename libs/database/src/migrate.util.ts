import { Kysely, Migration, MigrationProvider, Migrator, sql } from 'kysely';

export type MigrationSet = Record<string, Migration>;

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: MigrationSet) {}
  async getMigrations(): Promise<MigrationSet> {
    return this.migrations;
  }
}

/**
 * Brings one service's schema to the latest version. Kysely's Migrator takes a Postgres advisory
 * lock, so replicas starting together run each migration once.
 */
export async function migrateToLatest(db: Kysely<any>, schema: string, migrations: MigrationSet): Promise<string[]> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(migrations),
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration of schema "${schema}" failed${failed ? ` at ${failed}` : ''}: ${String((error as Error).message ?? error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

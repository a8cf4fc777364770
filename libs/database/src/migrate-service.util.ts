import { createDatabase } from './create-database.util';
import { migrateToLatest, MigrationSet } from './migrate.util';

/** Runs a service's migrations on a short-lived connection before the service starts. */
export async function migrateServiceSchema(url: string, schema: string, migrations: MigrationSet): Promise<string[]> {
  const db = createDatabase({ url, max: 1 });
  try {
    return await migrateToLatest(db, schema, migrations);
  } finally {
    await db.destroy();
  }
}

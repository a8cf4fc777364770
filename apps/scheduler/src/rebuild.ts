import { parseArgs } from 'node:util';
import { createDatabase, migrateServiceSchema } from '@minoots/database';
import { connectNats } from '@minoots/messaging';
import { loadSchedulerConfig } from './config/scheduler.config';
import { SCHEDULER_SCHEMA, SchedulerDB } from './database/scheduler-database.type';
import { schedulerMigrations } from './database/migrations';
import { ProjectionRebuild, ProjectionRebuildRefused } from './rebuild/projection-rebuild';

const USAGE = `Rebuild the scheduler's projection (its timers and triggers tables) from the timer stream.

  npm run scheduler:rebuild [-- --allow-purged]

Stop every scheduler replica first (the API gateway and the dispatcher may keep running: what
they publish meanwhile is applied when the schedulers start again). Uses the scheduler's
environment (DATABASE_URL, NATS_URL, MINOOTS_NAMESPACE). It refuses a stream whose first events
were purged (timers created then would be lost) unless given --allow-purged.`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean' }, 'allow-purged': { type: 'boolean' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadSchedulerConfig();
  await migrateServiceSchema(config.DATABASE_URL, SCHEDULER_SCHEMA, schedulerMigrations);
  const db = createDatabase<SchedulerDB>({ url: config.DATABASE_URL, max: 2 });
  const nc = await connectNats(config.NATS_URL, 'scheduler-rebuild');
  try {
    const rebuild = new ProjectionRebuild(nc, db, {
      databaseUrl: config.DATABASE_URL,
      namespace: config.namespace,
      logger: { log: (message) => console.log(message) },
      allowPurged: values['allow-purged'],
    });
    await rebuild.run();
    return 0;
  } catch (error) {
    if (!(error instanceof ProjectionRebuildRefused)) throw error;
    console.error(`not rebuilt: ${error.message}`);
    return 1;
  } finally {
    await nc.drain().catch(() => undefined);
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error('The replay is one transaction: if it failed, the tables are as they were. Run the rebuild again before starting the schedulers.');
    process.exit(1);
  },
);

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { nestLogLevels } from '@minoots/config';
import { migrateServiceSchema } from '@minoots/database';
import { startNatsMicroservice } from '@minoots/messaging';
import { loadSchedulerConfig } from './config/scheduler.config';
import { SCHEDULER_SCHEMA } from './database/scheduler-database.type';
import { schedulerMigrations } from './database/migrations';
import { SchedulerModule } from './scheduler.module';

async function bootstrap(): Promise<void> {
  const config = loadSchedulerConfig();
  const logger = new Logger('scheduler');
  const applied = await migrateServiceSchema(config.DATABASE_URL, SCHEDULER_SCHEMA, schedulerMigrations);
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  await startNatsMicroservice(SchedulerModule, {
    natsUrl: config.NATS_URL,
    queue: `${config.namespace}.scheduler`,
    logLevels: nestLogLevels(config.LOG_LEVEL),
  });
  logger.log(`scheduler ${config.instanceId} ready (namespace ${config.namespace})`);
}

bootstrap().catch((error) => {
  console.error(`scheduler failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { nestLogLevels } from '@minoots/config';
import { createDatabase, migrateToLatest } from '@minoots/database';
import { loadSchedulerConfig } from './config/scheduler.config';
import { SCHEDULER_SCHEMA } from './database/scheduler-database.type';
import { schedulerMigrations } from './database/migrations';
import { SchedulerModule } from './scheduler.module';

async function bootstrap(): Promise<void> {
  const config = loadSchedulerConfig();
  const logger = new Logger('scheduler');
  const db = createDatabase({ url: config.DATABASE_URL, max: 1 });
  const applied = await migrateToLatest(db, SCHEDULER_SCHEMA, schedulerMigrations).finally(() => db.destroy());
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(SchedulerModule, {
    transport: Transport.NATS,
    options: { servers: config.NATS_URL.split(','), queue: `${config.namespace}.scheduler`, maxReconnectAttempts: -1 },
    logger: nestLogLevels(config.LOG_LEVEL),
  });
  app.enableShutdownHooks();
  await app.listen();
  logger.log(`scheduler ${config.instanceId} ready (namespace ${config.namespace})`);
}

bootstrap().catch((error) => {
  // eslint-disable-next-line no-console
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

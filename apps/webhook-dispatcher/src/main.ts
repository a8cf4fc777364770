// First, before anything allocates: V8's pretenuring off (see gc-tuning.ts).
import './gc-tuning';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { nestLogLevels } from '@minoots/config';
import { migrateServiceSchema } from '@minoots/database';
import { startNatsMicroservice } from '@minoots/messaging';
import { loadDispatcherConfig } from './config/dispatcher.config';
import { DISPATCHER_SCHEMA } from './database/dispatcher-database.type';
import { dispatcherMigrations } from './database/migrations';
import { DispatcherModule } from './dispatcher.module';

async function bootstrap(): Promise<void> {
  const config = loadDispatcherConfig();
  const logger = new Logger('webhook-dispatcher');
  if (config.usesDevelopmentSecretsKey) {
    logger.warn('MINOOTS_SECRETS_KEY is not set: signing secrets are encrypted with the development key');
  }
  const applied = await migrateServiceSchema(config.DATABASE_URL, DISPATCHER_SCHEMA, dispatcherMigrations);
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  await startNatsMicroservice(DispatcherModule, {
    natsUrl: config.NATS_URL,
    queue: `${config.namespace}.webhook-dispatcher`,
    logLevels: nestLogLevels(config.LOG_LEVEL),
  });
  logger.log(
    `webhook-dispatcher ${config.instanceId} ready (namespace ${config.namespace}; private targets allowed: ${config.allowedCidrs.join(', ') || 'none'})`,
  );
}

bootstrap().catch((error) => {
  console.error(`webhook-dispatcher failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

import { Inject, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Kysely } from 'kysely';
import { createDatabase } from './create-database.util';

interface DatabaseSettings {
  DATABASE_URL: string;
  instanceId: string;
}

/** A service's Kysely instance under `token`, destroyed (pool closed) on shutdown. */
export function databaseProviders(token: symbol, configToken: symbol, poolSize: number): Provider[] {
  class DatabaseCloser implements OnApplicationShutdown {
    constructor(@Inject(token) private readonly db: Kysely<unknown>) {}
    async onApplicationShutdown(): Promise<void> {
      await this.db.destroy();
    }
  }
  return [
    {
      provide: token,
      inject: [configToken],
      useFactory: (config: DatabaseSettings) =>
        createDatabase({ url: config.DATABASE_URL, max: poolSize, applicationName: config.instanceId }),
    },
    DatabaseCloser,
  ];
}

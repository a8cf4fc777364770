import { INestMicroservice, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';

/**
 * Starts a NestJS app whose message handlers answer queries over NATS request/reply. Replicas
 * join one queue group, so each query is answered by exactly one of them.
 */
export async function startNatsMicroservice(
  module: Type<unknown>,
  options: { natsUrl: string; queue: string; logLevels: LogLevel[] },
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    transport: Transport.NATS,
    options: { servers: options.natsUrl.split(','), queue: options.queue, maxReconnectAttempts: -1, reconnectTimeWait: 250 },
    logger: options.logLevels,
  });
  app.enableShutdownHooks();
  await app.listen();
  return app;
}

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { nestLogLevels } from '@minoots/config';
import { migrateServiceSchema } from '@minoots/database';
import { GATEWAY_SCHEMA } from './database/gateway-database.type';
import { gatewayMigrations } from './database/migrations';
import { GatewayConfig, loadGatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';
import { MAX_BODY_BYTES, registerJsonBodyParser } from './http/json-body.parser';
import { ApiKeyBootstrap } from './auth/api-key-bootstrap.service';
import { GatewayMetrics } from './metrics/gateway-metrics.service';
import { registerHttpMetricsHook } from './metrics/http-metrics.hook';

export async function createGatewayApp(config: GatewayConfig = loadGatewayConfig()): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule, new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES }), {
    bodyParser: false,
    logger: nestLogLevels(config.LOG_LEVEL),
  });
  registerJsonBodyParser(app.getHttpAdapter().getInstance());
  registerHttpMetricsHook(app.getHttpAdapter().getInstance(), app.get(GatewayMetrics));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('MINOOTS')
      .setDescription('Timers with reliable, signed webhook delivery. Authenticate with the x-api-key header.')
      .setVersion('1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'apiKey')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  app.enableShutdownHooks();
  return app;
}

async function bootstrap(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = new Logger('api-gateway');
  const applied = await migrateServiceSchema(config.DATABASE_URL, GATEWAY_SCHEMA, gatewayMigrations);
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  const app = await createGatewayApp(config);
  const outcome = await app.get(ApiKeyBootstrap).ensureKey();
  await app.listen(config.PORT, config.HOST);
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  logger.log(`api-gateway listening on ${url} (OpenAPI at ${url}/docs)`);
  if (outcome.kind === 'generated') {
    // Shown once, on stdout, so the first user can call the API; only its hash is stored.
    console.log(`\n  MINOOTS development API key (shown once): ${outcome.key}\n  Try: curl -H "x-api-key: ${outcome.key}" ${url}/timers\n`);
  } else if (outcome.kind === 'configured') {
    logger.log(`bootstrap API key from MINOOTS_BOOTSTRAP_API_KEY is ${outcome.created ? 'registered' : 'active'}`);
  }
}

if (require.main === module) {
  bootstrap().catch((error) => {
    console.error(`api-gateway failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

import { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Transport } from '@nestjs/microservices';
import { NatsConnection } from '@nats-io/nats-core';
import { Kysely } from 'kysely';
import { createEvent, TimerSpec } from '@minoots/contracts';
import { migrateServiceSchema } from '@minoots/database';
import { connectNats, EventPublisher } from '@minoots/messaging';
import { createTestDatabase, deleteNamespaceStreams, randomNamespace, startWebhookReceiver, TestDatabase, WebhookReceiver } from '@minoots/testing';
import { DispatcherModule } from '../dispatcher.module';
import { DISPATCHER_CONFIG, loadDispatcherConfig } from '../config/dispatcher.config';
import { dispatcherMigrations } from '../database/migrations';
import { DISPATCHER_DATABASE, DispatcherDB } from '../database/dispatcher-database.type';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** The dispatcher in-process against the real Postgres, NATS and a local receiver, isolated. */
export class DispatcherHarness {
  readonly namespace: string;
  database!: TestDatabase;
  nc!: NatsConnection;
  publisher!: EventPublisher;
  app!: INestMicroservice;
  receiver!: WebhookReceiver;
  db!: Kysely<DispatcherDB>;

  constructor(
    private readonly label: string,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {
    this.namespace = randomNamespace(label);
  }

  async start(): Promise<void> {
    this.receiver = await startWebhookReceiver();
    this.database = await createTestDatabase(this.label);
    await migrateServiceSchema(this.database.url, 'dispatcher', dispatcherMigrations);
    this.nc = await connectNats(NATS_URL, `${this.label}-spec`);
    this.publisher = await EventPublisher.create(this.nc, this.namespace);
    const config = loadDispatcherConfig({
      ...process.env,
      DATABASE_URL: this.database.url,
      MINOOTS_NAMESPACE: this.namespace,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      DELIVERY_RETRY_SCHEDULE: '100ms,200ms',
      DELIVERY_SWEEP_INTERVAL_MS: '50',
      DELIVERY_TIMEOUT_MS: '500',
      DISPATCHER_METRICS_PORT: '0',
      ...this.env,
    });
    const moduleRef = await Test.createTestingModule({ imports: [DispatcherModule] }).overrideProvider(DISPATCHER_CONFIG).useValue(config).compile();
    this.app = moduleRef.createNestMicroservice({ transport: Transport.NATS, options: { servers: [NATS_URL], queue: `${this.namespace}.d` } });
    if (!process.env.DEBUG_LOGS) this.app.useLogger(false);
    await this.app.listen();
    this.db = this.app.get(DISPATCHER_DATABASE);
  }

  async stop(): Promise<void> {
    await this.app.close();
    await deleteNamespaceStreams(this.nc, this.namespace);
    await this.nc.close();
    await this.receiver.close();
    await this.database.drop();
  }

  spec(id: string, events: TimerSpec['events'] = {}): TimerSpec {
    const now = Date.now();
    return {
      id,
      name: `Build ${id}`,
      agentId: 'agent-7',
      durationMs: 1000,
      startAt: new Date(now).toISOString(),
      fireAt: new Date(now + 1000).toISOString(),
      milestones: [{ label: '50%', percent: 50 }],
      events,
      metadata: { team: 'ci' },
      createdAt: new Date(now).toISOString(),
    };
  }

  async created(spec: TimerSpec, tenantId = 'tenant_1') {
    return this.publisher.publish(createEvent('timer.created', { tenantId, aggregateId: spec.id, data: { timer: spec } }));
  }

  async expired(spec: TimerSpec, tenantId = 'tenant_1') {
    return this.publisher.publish(
      createEvent('timer.expired', {
        id: `evt_fire_${spec.id}_expire`,
        tenantId,
        aggregateId: spec.id,
        data: { dueAt: spec.fireAt, firedAt: new Date().toISOString(), timer: spec },
      }),
    );
  }
}

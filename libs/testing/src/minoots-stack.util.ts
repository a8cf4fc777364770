import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { deleteNamespaceStreams } from './nats-streams.util';
import { createTestDatabase, TestDatabase, randomNamespace } from './test-database.util';
import { freePort, READY_LINES, ServiceName, ServiceProcess, workspaceRoot } from './service-process.util';

const ROOT = workspaceRoot();
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export const BOOTSTRAP_KEY = 'mnt_test_e2eBootstrapKey0123456789abcdef';

/** The whole system on loopback, isolated by its own database and NATS namespace. */
export class MinootsStack {
  readonly services = new Map<ServiceName, ServiceProcess>();
  baseUrl = '';
  private env: NodeJS.ProcessEnv = {};
  private database?: TestDatabase;

  async start(label: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    this.database = await createTestDatabase(label);
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.env = {
      DATABASE_URL: this.database.url,
      NATS_URL,
      MINOOTS_NAMESPACE: randomNamespace(label),
      PORT: String(port),
      HOST: '127.0.0.1',
      MINOOTS_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      SCHEDULER_INSTANCE_ID: `scheduler-${label}`,
      DISPATCHER_INSTANCE_ID: `dispatcher-${label}`,
      SCHEDULER_METRICS_PORT: '0',
      DISPATCHER_METRICS_PORT: '0',
      ...extraEnv,
    };
    // The scheduler first: the other two then find the stream and their migrations in place.
    await this.startService('scheduler');
    await Promise.all([this.startService('webhook-dispatcher'), this.startService('api-gateway')]);
  }

  async startService(name: ServiceName): Promise<ServiceProcess> {
    const service = ServiceProcess.start(name, this.env);
    this.services.set(name, service);
    await service.waitFor(READY_LINES[name]);
    return service;
  }

  get databaseUrl(): string {
    return this.database!.url;
  }

  service(name: ServiceName): ServiceProcess {
    return this.services.get(name)!;
  }

  async request(method: string, path: string, options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {}) {
    const key = options.key === undefined ? BOOTSTRAP_KEY : options.key;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(key ? { 'x-api-key': key } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Runs the key-management CLI against this stack's database, as an operator would. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', './scripts/register-paths.js', 'dist/apps/api-gateway/src/cli.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
    });
    return stdout;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    const nc = await connect({ servers: NATS_URL });
    await deleteNamespaceStreams(nc, this.env.MINOOTS_NAMESPACE!);
    await nc.close();
    await this.database?.drop();
  }

  logs(): string {
    return [...this.services.values()].map((s) => `--- ${s.name}\n${s.output.slice(-40).join('\n')}`).join('\n');
  }
}

import { spawnSync } from 'node:child_process';
import { connectNats } from '@minoots/messaging';
import { createTestDatabase, deleteNamespaceStreams, randomNamespace, TestDatabase, workspaceRoot } from '@minoots/testing';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** An npm script from the README, run as an operator runs it (built services, from the workspace root). */
function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: workspaceRoot(),
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('operator commands of the README', () => {
  let database: TestDatabase;
  const namespace = randomNamespace('ops');

  beforeAll(async () => {
    database = await createTestDatabase('ops');
  });

  afterAll(async () => {
    const nc = await connectNats(NATS_URL, 'operator-commands-e2e');
    await deleteNamespaceStreams(nc, namespace);
    await nc.close();
    await database.drop();
  });

  it('npm run keys answers --help', () => {
    const { status, output } = npmRun('keys', ['--help']);
    expect(output).toContain('npm run keys -- create --tenant <name>');
    expect(status).toBe(0);
  });

  it('npm run scheduler:rebuild rebuilds an empty installation', () => {
    const env = { DATABASE_URL: database.url, NATS_URL, MINOOTS_NAMESPACE: namespace, SCHEDULER_METRICS_PORT: '0' };
    const { status, output } = npmRun('scheduler:rebuild', [], env);
    expect(output).toContain('replayed 0 event(s); the projection resumes at sequence 1');
    expect(status).toBe(0);
  });
});

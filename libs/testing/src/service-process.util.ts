import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The workspace root (where nx.json is), whether this runs from sources or from dist/. */
export function workspaceRoot(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
  }
  throw new Error(`no nx.json above ${from}`);
}

const ROOT = workspaceRoot();

export type ServiceName = 'api-gateway' | 'scheduler' | 'webhook-dispatcher';

/**
 * The V8 flags a service is started with, from `scripts/node-flags.json` — the one list `npm start`,
 * the Dockerfile and these launchers share. Heap sizing is read once, when V8 starts, so unlike
 * the dispatcher's pretenuring it cannot be set from inside the service.
 */
export function serviceNodeFlags(name: ServiceName): string[] {
  const flags = JSON.parse(readFileSync(join(ROOT, 'scripts', 'node-flags.json'), 'utf8')) as Record<ServiceName, string[]>;
  return flags[name];
}

/** A built service (dist/) running as its own process, as in production. */
export class ServiceProcess {
  readonly output: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    readonly name: ServiceName,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(name: ServiceName, env: NodeJS.ProcessEnv): ServiceProcess {
    // MINOOTS_PROFILE_DIR=/tmp/prof writes a V8 CPU profile per service on exit (for the benchmark).
    const profile = process.env.MINOOTS_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MINOOTS_PROFILE_DIR}/${name}`] : [];
    const child = spawn(process.execPath, [...serviceNodeFlags(name), ...profile, '-r', './scripts/register-paths.js', `dist/apps/${name}/src/main.js`], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for a line matching `pattern`; fails early (with the output) if the process dies. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.output.find((l) => pattern.test(l));
      if (line) return line;
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.output.slice(-30).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.output.slice(-30).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Lines each service prints once it is ready to work. */
export const READY_LINES: Record<ServiceName, RegExp> = {
  scheduler: /scheduler .* ready/,
  'webhook-dispatcher': /webhook-dispatcher .* ready/,
  'api-gateway': /api-gateway listening on/,
};

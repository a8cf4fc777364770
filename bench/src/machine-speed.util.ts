import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { distribution } from './stats.util';

/**
 * How fast this machine is right now, by fixed workloads, so runs of different days can be told
 * apart from changes in the code. The same VM has given the same code 3,240 and 3,998 bursts a
 * second hours apart, and twice as fast on 24 Nov at the same compute and ping figures: two runs
 * whose figures differ do not compare, and alike ones may still not (lower is faster).
 */
export interface MachineSpeed {
  /** One core's work: JSON and HMAC-SHA256 over a 1 KB document, 20,000 times (median of 5, ms). */
  computeMs: number;
  /**
   * The same while another process keeps the other core busy. Whether two busy cores slow each
   * other (vCPUs sharing a physical core, a host throttling the VM) is something `computeMs`, taken
   * with the other core idle, cannot show, and every scenario here keeps both cores busy.
   */
  computeBothBusyMs: number;
  /** A 64-byte ping answered by another process over loopback TCP (median of 2,000, µs). */
  roundTripUs: number;
}

/** `MachineSpeed`'s two compute figures alone. */
export type ComputeSpeed = Pick<MachineSpeed, 'computeMs' | 'computeBothBusyMs'>;

function computeOnce(): number {
  const doc = { id: 'tmr_01JB0000000000000000000000', data: { text: 'x'.repeat(900) }, at: new Date(0).toISOString() };
  const started = performance.now();
  for (let i = 0; i < 20_000; i++) {
    const body = JSON.stringify({ ...doc, seq: i });
    createHmac('sha256', 'bench-key').update(body).digest('base64');
    JSON.parse(body);
  }
  return performance.now() - started;
}

// Keeps the other core busy with the same kind of work until the parent goes (in slices, so it notices).
const CORE_LOAD = `
  const { createHmac } = require('node:crypto');
  const body = JSON.stringify({ text: 'x'.repeat(900) });
  process.on('disconnect', () => process.exit(0));
  setImmediate(function spin() {
    const until = Date.now() + 20;
    while (Date.now() < until) JSON.parse(JSON.stringify(createHmac('sha256', 'bench-key').update(body).digest('base64')));
    setImmediate(spin);
  });
  process.send('busy');
`;

/**
 * Runs `source` in a child process while `use` runs, with the child's first message (it says it is
 * ready) and `gone`, which rejects if the child fails, exits or has not answered within 30 s: a
 * measure fails rather than hangs.
 */
async function withChild<T>(name: string, source: string, use: (firstMessage: unknown, gone: Promise<never>) => T | Promise<T>): Promise<T> {
  const child = fork('-e', [source], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const gone = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} process exited (${code})`)));
    setTimeout(() => reject(new Error(`${name} process: no answer within 30 s`)), 30_000).unref();
  });
  gone.catch(() => undefined);
  try {
    const first = await Promise.race([new Promise<unknown>((resolve) => child.once('message', resolve)), gone]);
    return await use(first, gone);
  } finally {
    child.kill();
  }
}

// The echo side, run as a separate process: what it measures is the hop between two processes.
const ECHO_SERVER = `
  const server = require('node:net').createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('disconnect', () => process.exit(0));
`;

/** `count` pings, one after another; fails (rather than hangs) if the echo process or socket goes. */
function roundTrips(count: number): Promise<number[]> {
  return withChild('echo', ECHO_SERVER, async (message, gone) => {
    const port = Number(message);
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    const closed = new Promise<never>((_, reject) => {
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('echo connection closed')));
    });
    closed.catch(() => undefined);
    await Promise.race([new Promise((resolve) => socket.once('connect', resolve)), closed, gone]);
    const ping = Buffer.alloc(64, 1);
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const answered = new Promise<void>((resolve) => {
        let received = 0;
        const onData = (chunk: Buffer) => {
          received += chunk.length;
          if (received < ping.length) return;
          socket.off('data', onData);
          resolve();
        };
        socket.on('data', onData);
      });
      socket.write(ping);
      await Promise.race([answered, closed, gone]);
      times.push((performance.now() - started) * 1000);
    }
    socket.destroy();
    return times;
  });
}

let jitWarmedUp = false;

/**
 * The compute workload alone and with the other core busy, the median of `passes` each. Three
 * passes each (a second or two) are quick enough to take before every burst: this VM's speed changes
 * within a run, by up to 1.8 times for a minute or two with nothing of ours running (24 Nov, a similar
 * workload timed every two seconds on an idle machine: 74–84 ms, then 115–161 ms for 1 min 45 s,
 * then 74–81 ms again).
 */
export async function measureComputeSpeed(passes = 1): Promise<ComputeSpeed> {
  if (!jitWarmedUp) {
    computeOnce(); // JIT warm-up, once per process (it is taken before every burst), not counted
    jitWarmedUp = true;
  }
  const computeMs = distribution(Array.from({ length: passes }, computeOnce)).p50;
  const computeBothBusyMs = await withChild('load', CORE_LOAD, () => distribution(Array.from({ length: passes }, computeOnce)).p50);
  return { computeMs: Math.round(computeMs), computeBothBusyMs: Math.round(computeBothBusyMs) };
}

export async function measureMachineSpeed(): Promise<MachineSpeed> {
  const compute = await measureComputeSpeed(5);
  const roundTripUs = distribution(await roundTrips(2_000)).p50;
  return { ...compute, roundTripUs: Math.round(roundTripUs) };
}

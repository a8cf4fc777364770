import { readFileSync } from 'node:fs';

/**
 * What a scenario cost the whole machine: CPU time of every process on every core (from
 * `/proc/stat`: user, nice, system, irq and softirq; idle, I/O wait and time stolen by the host
 * left out), per post, and how many of the cores that kept busy. It counts what each system needs
 * beside its own code (MINOOTS's Postgres and NATS, BullMQ's Redis, the peers' workers inside the
 * bench process) and the shared receiver, so systems compare on the one budget they all share.
 */
export interface MachineLoad {
  /** Microseconds of CPU, all processes together, per post delivered. */
  cpuPerPostUs: number;
  /** Busy CPU time over wall time: 2 means both cores busy throughout. */
  coresBusy: number;
}

/** USER_HZ: /proc/stat and /proc/<pid>/stat count in hundredths of a second on Linux. */
export const MS_PER_TICK = 10;

/** The machine's busy CPU time so far, in ms; undefined where there is no /proc/stat (not Linux). */
export function machineBusyMs(): number | undefined {
  try {
    const [user, nice, system, , , irq = 0, softirq = 0] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq) * MS_PER_TICK;
  } catch {
    return undefined;
  }
}

/** Reads the machine's busy time at `startAt` (a wall-clock time, usually the first due time), then at `stop()`. */
export class MachineLoadMeter {
  private start?: { busyMs: number; at: number };
  private readonly timer: NodeJS.Timeout;

  constructor(startAt: number) {
    this.timer = setTimeout(
      () => {
        const busyMs = machineBusyMs();
        if (busyMs !== undefined) this.start = { busyMs, at: Date.now() };
      },
      Math.max(0, startAt - Date.now()),
    );
  }

  stop(posts: number): MachineLoad | undefined {
    clearTimeout(this.timer);
    const busyMs = machineBusyMs();
    const elapsedMs = this.start ? Date.now() - this.start.at : 0;
    if (!this.start || busyMs === undefined || posts === 0 || elapsedMs <= 0) return undefined;
    const used = busyMs - this.start.busyMs;
    return { cpuPerPostUs: Math.round((used * 1000) / posts), coresBusy: Math.round((used / elapsedMs) * 100) / 100 };
  }
}

import { cpuMicros, perUnit } from './probe';

describe('bench probe accounting', () => {
  it('reads a process’s CPU time from /proc, growing as it works, and 0 for none', () => {
    const before = cpuMicros(process.pid);
    // Spin until Node itself counts 100 ms of CPU (wall time would depend on the machine's load).
    const start = process.cpuUsage();
    let spin = 0;
    for (let used = 0; used < 100_000; spin++) {
      const { user, system } = process.cpuUsage(start);
      used = user + system;
    }
    expect(spin).toBeGreaterThan(0);
    // /proc counts in 10 ms ticks, per process rather than per thread: at least most of it shows.
    expect(cpuMicros(process.pid) - before).toBeGreaterThanOrEqual(80_000);
    expect(cpuMicros(2 ** 22 + 12_345)).toBe(0);
  });

  it('divides each process’s CPU by the units of work and totals it', () => {
    expect(perUnit({ scheduler: 1_000, postgres: 0 }, { scheduler: 3_000, postgres: 1_000 }, 10)).toBe('scheduler 200, postgres 100; total 300 µs');
  });
});

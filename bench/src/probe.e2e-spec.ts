import { armEnv, armsInRound, cpuMicros, describeMeans, perUnit, totalPerUnit } from './probe';

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
    expect(totalPerUnit({ scheduler: 1_000, postgres: 0 }, { scheduler: 3_000, postgres: 1_000 }, 10)).toBe(300);
  });
});

describe('bench probe arms (PROBE_B_ENV)', () => {
  it('reads the second arm’s environment as a JSON object of strings, and refuses anything else', () => {
    expect(armEnv(undefined)).toBeUndefined();
    expect(armEnv('')).toBeUndefined();
    expect(armEnv('{"DELIVERY_HTTP":"inline","NODE_OPTIONS":"--max-semi-space-size=64"}')).toEqual({ DELIVERY_HTTP: 'inline', NODE_OPTIONS: '--max-semi-space-size=64' });
    for (const bad of ['DELIVERY_HTTP=inline', '["a"]', '{"DELIVERY_CONNECTIONS_PER_ORIGIN":64}', 'null']) {
      expect(() => armEnv(bad)).toThrow(/PROBE_B_ENV must be a JSON object of strings/);
    }
  });

  it('alternates which arm leads, round by round', () => {
    expect([1, 2, 3, 4].map((round) => armsInRound(round, ['A', 'B']).join(''))).toEqual(['AB', 'BA', 'AB', 'BA']);
    expect(armsInRound(2, ['A'])).toEqual(['A']);
  });

  it('gives each figure’s mean and range over the rounds', () => {
    expect(describeMeans([{ 'posts/s': 4_000, 'CPU µs per firing': 410.4 }, { 'posts/s': 5_000, 'CPU µs per firing': 389.6 }])).toBe(
      'posts/s 4500 (4000–5000), CPU µs per firing 400 (390–410)',
    );
    expect(describeMeans([{ 'p99 ms': 7.125 }, { 'p99 ms': 9.5 }])).toBe('p99 ms 8.31 (7.13–9.5)');
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeGc, gcBetween } from './gc-report.util';

describe('bench probe GC report', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'minoots-gc-spec-'));
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('summarises each service’s pauses and old-generation growth inside the window only', () => {
    writeFileSync(
      join(directory, 'webhook-dispatcher-41.gc'),
      [
        '900 gc scavenge 50', // before the window
        '1000 old 10000000',
        '1100 gc scavenge 4',
        '1200 gc scavenge 8',
        '1300 gc major 20',
        '1400 old 13000000',
        '1500 gc incremental 1',
        '1600 old 9000000', // a major collection freed some: not growth
        '1800 old 10000000',
        '3500 gc major 99', // after it
        '',
      ].join('\n'),
    );
    writeFileSync(join(directory, 'scheduler-40.gc'), '1500 old 5000000\n');

    const [scheduler, dispatcher] = gcBetween(directory, 1000, 3000);

    expect(dispatcher).toEqual({
      service: 'webhook-dispatcher',
      scavenges: { count: 2, totalMs: 12, maxMs: 8 },
      majors: { count: 1, totalMs: 20, maxMs: 20 },
      oldGrowthMbPerS: 2, // 3 MB + 1 MB over 2 s
    });
    expect(scheduler.scavenges.count).toBe(0);
    expect(describeGc([scheduler, dispatcher])).toBe(
      'scheduler 0 scavenges, 0 major, old generation +0.0 MB/s; webhook-dispatcher 2 scavenges (avg 6.0, max 8.0 ms), 1 major (avg 20.0, max 20.0 ms), old generation +2.0 MB/s',
    );
  });

  it('gc-watch, preloaded, writes the pauses and old-generation sizes of the process it watches', async () => {
    process.env.MINOOTS_GC_DIR = directory;
    try {
      jest.isolateModules(() => require('./gc-watch'));
      // Enough short-lived garbage for several young-generation collections (kept in an array for
      // a while, so the compiler cannot leave the allocations out).
      let kept: { i: number }[] = [];
      let made = 0;
      for (let i = 0; i < 2_000_000; i++) {
        kept.push({ i });
        if (kept.length === 10_000) {
          made += kept.length;
          kept = [];
        }
      }
      expect(made).toBe(2_000_000);
      const deadline = Date.now() + 5_000;
      let lines: string[] = [];
      while (Date.now() < deadline && !(lines.some((l) => / gc scavenge /.test(l)) && lines.some((l) => / old \d+$/.test(l)))) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const file = readdirSync(directory).find((n) => n.endsWith(`-${process.pid}.gc`));
        lines = file ? readFileSync(join(directory, file), 'utf8').split('\n') : [];
      }
      expect(lines.some((l) => /^\d+(\.\d+)? gc scavenge \d+\.\d+$/.test(l))).toBe(true);
      expect(lines.some((l) => /^\d+ old [1-9]\d*$/.test(l))).toBe(true);
    } finally {
      delete process.env.MINOOTS_GC_DIR;
    }
  });
});

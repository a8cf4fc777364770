import { appendFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { constants, PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/**
 * Preloaded into each service by `bench:probe` (`NODE_OPTIONS=-r …/gc-watch.js`): appends to
 * `$MINOOTS_GC_DIR/<service>-<pid>.gc` one line per garbage collection (`<wall ms> gc <kind>
 * <pause ms>`) and the old generation's size every 100 ms (`<wall ms> old <bytes>`). Each pause
 * stops the service's event loop, so on a busy 2-core machine they are a large part of the
 * lateness tail; this is how the probe tells which service pays them.
 */
const directory = process.env.MINOOTS_GC_DIR;

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
};

if (directory) {
  // dist/apps/<service>/src/main.js → <service>
  const script = process.argv[1] ?? 'node';
  const service = basename(script) === 'main.js' ? basename(dirname(dirname(script))) : basename(script, '.js');
  const file = join(directory, `${service}-${process.pid}.gc`);
  let lines: string[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = KINDS[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      lines.push(`${(performance.timeOrigin + entry.startTime).toFixed(1)} gc ${kind} ${entry.duration.toFixed(2)}`);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const sampler = setInterval(() => {
    const old = getHeapSpaceStatistics().find((space) => space.space_name === 'old_space');
    lines.push(`${Date.now()} old ${old?.space_used_size ?? 0}`);
  }, 100).unref();
  const flush = () => {
    if (lines.length === 0) return;
    try {
      appendFileSync(file, `${lines.join('\n')}\n`);
      lines = [];
    } catch {
      // The probe is done with it (its directory is gone): stop watching rather than fail the service.
      observer.disconnect();
      clearInterval(sampler);
      clearInterval(flusher);
      lines = [];
    }
  };
  const flusher = setInterval(flush, 500).unref();
  process.on('exit', flush);
}

import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, before anything allocates much. V8 allocates objects straight into
 * the old generation once it has seen most objects of their allocation site survive a scavenge
 * (pretenuring). In the dispatcher that judgement is made while a batch of events is being
 * handled, when everything the batch allocated is still alive; afterwards every delivery's
 * objects from those sites land in the old generation and die there. At 1,000 firings a second
 * the old generation then filled at 10–12 MB/s, and the major collections that followed every few
 * seconds (10–45 ms each) were much of the lateness tail. Without pretenuring it fills at
 * 5.5–8.5 MB/s, and the dispatcher spends less CPU per firing (the README's Benchmarks section has
 * the A/B).
 *
 * Set at run time rather than on the `node` command line so that every way of starting the service
 * (npm start, the Dockerfile, the tests' and the benchmark's launchers) gets it. An operator who
 * passes `--allocation-site-pretenuring` to node keeps V8's default.
 */
if (!process.execArgv.some((arg) => /^--(no-)?allocation[-_]site[-_]pretenuring$/.test(arg))) {
  setFlagsFromString('--no-allocation-site-pretenuring');
}

import { MinootsSystem } from '../systems/minoots.system';

export interface CreationResult {
  seconds: number;
  concurrency: number;
  created: number;
  errors: number;
  perSecond: number;
  /** Created per second in each whole second of the run (to see it stay flat). */
  perSecondSeries: number[];
}

/** Timers created through the HTTP API by `concurrency` clients for `seconds`. */
export async function runCreation(system: MinootsSystem, options: { seconds: number; concurrency: number; receiverUrl: string }): Promise<CreationResult> {
  const t0 = Date.now();
  const end = t0 + options.seconds * 1000;
  const series: number[] = [];
  let created = 0;
  let errors = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const status = await system
        .createTimer({ name: 'creation bench', duration: '7d', events: { on_expire: { webhook: `${options.receiverUrl}/never` } } })
        .catch(() => 0);
      if (status === 201) {
        created++;
        const second = Math.floor((Date.now() - t0) / 1000);
        series[second] = (series[second] ?? 0) + 1;
      } else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (Date.now() - t0) / 1000;
  return {
    seconds: Math.round(seconds * 10) / 10,
    concurrency: options.concurrency,
    created,
    errors,
    perSecond: Math.round(created / seconds),
    perSecondSeries: Array.from({ length: Math.floor(seconds) }, (_, i) => series[i] ?? 0),
  };
}

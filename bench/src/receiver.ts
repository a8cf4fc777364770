import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** Wall-clock milliseconds with sub-millisecond precision. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export interface Arrival {
  id: string;
  at: number;
  /** When the system says it fired (MINOOTS payloads carry it as `timestamp`). */
  firedAt?: number;
}

/**
 * The fast local receiver every system posts to: answers 200 at once and records, per job id,
 * when the POST arrived (the moment its headers and body are in).
 */
export class BenchReceiver {
  readonly arrivals = new Map<string, Arrival[]>();
  private server?: Server;
  url = '';
  total = 0;
  duplicates = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = nowMs();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        try {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          // MINOOTS sends the seeds' payload (our id in `data`); the peers send `{id}`.
          const id: string | undefined = json?.data?.id ?? json?.id;
          if (!id) return;
          this.total++;
          const firedAt = typeof json.timestamp === 'string' ? Date.parse(json.timestamp) : undefined;
          const list = this.arrivals.get(id);
          if (list) {
            this.duplicates++;
            list.push({ id, at, firedAt });
          } else this.arrivals.set(id, [{ id, at, firedAt }]);
        } catch {
          // not ours
        }
      });
    });
    this.server.keepAliveTimeout = 60_000;
    this.server.maxRequestsPerSocket = 0;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.arrivals.clear();
    this.total = 0;
    this.duplicates = 0;
  }

  /** Waits until every id has arrived, or the deadline passes; resolves with how many did. */
  async waitFor(ids: string[], deadline: number): Promise<number> {
    for (;;) {
      const arrived = ids.reduce((n, id) => n + (this.arrivals.has(id) ? 1 : 0), 0);
      if (arrived === ids.length || Date.now() > deadline) return arrived;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

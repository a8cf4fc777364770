import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as sent (what signatures are computed over). */
  body: string;
  json: any;
  receivedAt: number;
}

export interface ReceiverReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (to provoke timeouts). */
  delayMs?: number;
}

export type ReceiverScript = (request: ReceivedWebhook, countForPath: number) => ReceiverReply;

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  on(path: string): ReceivedWebhook[];
  script: ReceiverScript;
  close(): Promise<void>;
}

/** A local HTTP receiver on 127.0.0.1 that records every request and answers as scripted. */
export async function startWebhookReceiver(script: ReceiverScript = () => ({ status: 200, body: 'OK' })): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: Partial<WebhookReceiver> = { received, script };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = undefined;
      try {
        json = JSON.parse(body);
      } catch {
        // not JSON: kept raw
      }
      const path = req.url ?? '/';
      const entry = { path, headers: req.headers, body, json, receivedAt: Date.now() };
      received.push(entry);
      const reply = receiver.script!(entry, received.filter((r) => r.path === path).length);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    on: (path: string) => received.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as WebhookReceiver;
}

import { createInbox, headers, Msg, NatsConnection, Subscription } from '@nats-io/nats-core';

export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

export class JetStreamPublishError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'JetStreamPublishError';
  }
}

/** `Nats-Msg-Id` (JetStream's deduplication key), and the stream the publisher expects to take it. */
function publishHeaders(msgId: string, expectedStream?: string): ReturnType<typeof headers> {
  const h = headers();
  h.set('Nats-Msg-Id', msgId);
  if (expectedStream) h.set('Nats-Expected-Stream', expectedStream);
  return h;
}

interface Waiting {
  resolve(ack: PubAck): void;
  reject(error: Error): void;
  deadline: number;
}

/**
 * JetStream publishes with their acknowledgements read off one shared inbox subscription.
 * `jetstream().publish()` makes each publish a request with its own timer and two eagerly built
 * Error objects (stack traces included): at thousands of events a second that was a tenth of a
 * service's CPU. Here a publish is a plain PUB with a reply subject, and one interval times out
 * whatever was not acknowledged.
 */
export class JetStreamAcks {
  private readonly prefix = `${createInbox()}.`;
  private readonly waiting = new Map<string, Waiting>();
  private readonly subscription: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private next = 0;
  private outbox: { subject: string; data: Uint8Array; headers: ReturnType<typeof headers>; token: string }[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5_000,
  ) {
    this.subscription = nc.subscribe(`${this.prefix}*`, { callback: (error, msg) => (error ? undefined : this.settle(msg)) });
    this.sweeper = setInterval(() => this.expire(), Math.min(1_000, timeoutMs)).unref();
  }

  publish(subject: string, data: Uint8Array, msgId: string, expectedStream?: string): Promise<PubAck> {
    const token = (this.next++).toString(36);
    const h = publishHeaders(msgId, expectedStream);
    return new Promise<PubAck>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      // Publishes asked for in the same turn of the event loop (concurrent requests, a firing batch)
      // leave in one socket write: on a busy machine each write to NATS costs far more than its bytes.
      if (this.outbox.length === 0) setImmediate(() => this.send());
      this.outbox.push({ subject, data, headers: h, token });
    });
  }

  private send(): void {
    const outbox = this.outbox;
    this.outbox = [];
    for (const { subject, data, headers: h, token } of outbox) {
      try {
        this.nc.publish(subject, data, { headers: h, reply: this.prefix + token });
      } catch (error) {
        const waiting = this.waiting.get(token);
        this.waiting.delete(token);
        waiting?.reject(error as Error);
      }
    }
  }

  /**
   * Stored by JetStream like any publish to a stream's subject (and deduplicated by `msgId`), but
   * nobody waits for, or reads, the acknowledgement: for events that are news, not records.
   */
  publishUnconfirmed(subject: string, data: Uint8Array, msgId: string): void {
    this.nc.publish(subject, data, { headers: publishHeaders(msgId) });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    for (const w of this.waiting.values()) w.reject(new JetStreamPublishError('publisher closed'));
    this.waiting.clear();
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.waiting.get(token);
    if (!waiting) return;
    this.waiting.delete(token);
    if (msg.headers?.code === 503) {
      waiting.reject(new JetStreamPublishError(`no stream takes ${msg.subject}: is JetStream enabled and the stream created?`, 503));
      return;
    }
    try {
      const body = msg.json<{ stream?: string; seq?: number; duplicate?: boolean; error?: { code: number; description: string } }>();
      if (body.error) waiting.reject(new JetStreamPublishError(body.error.description, body.error.code));
      else if (!body.stream) waiting.reject(new JetStreamPublishError('invalid JetStream acknowledgement'));
      else waiting.resolve({ stream: body.stream, seq: body.seq ?? 0, duplicate: body.duplicate ?? false });
    } catch (error) {
      waiting.reject(new JetStreamPublishError(`unreadable JetStream acknowledgement: ${(error as Error).message}`));
    }
  }

  private expire(): void {
    const now = Date.now();
    for (const [token, w] of this.waiting) {
      if (w.deadline <= now) {
        this.waiting.delete(token);
        w.reject(new JetStreamPublishError(`no JetStream acknowledgement within ${this.timeoutMs} ms`, 408));
      }
    }
  }
}

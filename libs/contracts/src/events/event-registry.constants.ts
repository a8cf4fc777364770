import { z } from 'zod';
import { timerSnapshotSchema, timerSpecSchema } from '../timers/timer-spec.schema';
import { eventEnvelopeSchema } from './event-envelope.schema';

export const EVENT_TYPES = [
  'timer.created',
  'timer.cancelled',
  'timer.progress',
  'timer.expired',
  'delivery.succeeded',
  'delivery.failed',
  'delivery.dead',
  'endpoint.failing',
  'endpoint.disabled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Streams group subjects; each service namespaces them (see `subjectFor`). The timer stream is the
 * source of truth (projections are rebuilt from it) and keeps everything. The outcome streams are
 * news for subscribers, one event per attempt, while the delivery tables are the record: they keep
 * `maxAgeDays`, or at 1,000 deliveries a second they would grow by ~86 million events a day.
 */
export const STREAMS = {
  timers: { name: 'TIMERS', subjects: 'timers.>', maxAgeDays: undefined },
  deliveries: { name: 'DELIVERIES', subjects: 'deliveries.>', maxAgeDays: 7 },
  endpoints: { name: 'ENDPOINTS', subjects: 'endpoints.>', maxAgeDays: 7 },
} as const;
export type StreamKey = keyof typeof STREAMS;

const deliveryOutcomeSchema = z.object({
  deliveryId: z.string(),
  endpointId: z.string().nullable(),
  timerId: z.string().nullable(),
  eventType: z.string(),
  attempt: z.number().int(),
});

const endpointHealthSchema = z.object({
  endpointId: z.string(),
  name: z.string(),
  url: z.string(),
  consecutiveFailures: z.number().int(),
  reason: z.string(),
});

/**
 * Stream sequence of the timer's `timer.created`, when the publisher knows it (the scheduler does):
 * a consumer that has seen every event since then needs no stored state to tell whether the timer
 * already ended.
 */
const createdSeqSchema = z.number().int().positive().optional();

export interface EventDefinition {
  stream: StreamKey;
  subject: string;
  version: number;
  schema: z.ZodType;
}

/**
 * The catalogue of events. Version 2 of the timer lifecycle events carries the timer itself
 * (`timerSnapshotSchema`), so acting on one needs no state kept from `timer.created`. Adding a type here does not compile until every consumer that maps
 * `Record<EventType, …>` handles it.
 */
export const EVENT_REGISTRY = {
  'timer.created': {
    stream: 'timers',
    subject: 'timers.created',
    version: 1,
    schema: eventEnvelopeSchema('timer.created', 1, z.object({ timer: timerSpecSchema })),
  },
  'timer.cancelled': {
    stream: 'timers',
    subject: 'timers.cancelled',
    version: 2,
    schema: eventEnvelopeSchema(
      'timer.cancelled',
      2,
      z.object({ reason: z.string().nullable(), cancelledAt: z.string(), timer: timerSnapshotSchema }),
    ),
  },
  'timer.progress': {
    stream: 'timers',
    subject: 'timers.fired.progress',
    version: 2,
    schema: eventEnvelopeSchema(
      'timer.progress',
      2,
      z.object({ milestone: z.string(), percent: z.number(), dueAt: z.string(), firedAt: z.string(), timer: timerSnapshotSchema, createdSeq: createdSeqSchema }),
    ),
  },
  'timer.expired': {
    stream: 'timers',
    subject: 'timers.fired.expired',
    version: 2,
    schema: eventEnvelopeSchema('timer.expired', 2, z.object({ dueAt: z.string(), firedAt: z.string(), timer: timerSnapshotSchema, createdSeq: createdSeqSchema })),
  },
  'delivery.succeeded': {
    stream: 'deliveries',
    subject: 'deliveries.succeeded',
    version: 1,
    schema: eventEnvelopeSchema('delivery.succeeded', 1, deliveryOutcomeSchema.extend({ statusCode: z.number().int(), durationMs: z.number() })),
  },
  'delivery.failed': {
    stream: 'deliveries',
    subject: 'deliveries.failed',
    version: 1,
    schema: eventEnvelopeSchema('delivery.failed', 1, deliveryOutcomeSchema.extend({ error: z.string(), nextAttemptAt: z.string() })),
  },
  'delivery.dead': {
    stream: 'deliveries',
    subject: 'deliveries.dead',
    version: 1,
    schema: eventEnvelopeSchema('delivery.dead', 1, deliveryOutcomeSchema.extend({ error: z.string() })),
  },
  'endpoint.failing': {
    stream: 'endpoints',
    subject: 'endpoints.failing',
    version: 1,
    schema: eventEnvelopeSchema('endpoint.failing', 1, endpointHealthSchema),
  },
  'endpoint.disabled': {
    stream: 'endpoints',
    subject: 'endpoints.disabled',
    version: 1,
    schema: eventEnvelopeSchema('endpoint.disabled', 1, endpointHealthSchema),
  },
} as const satisfies Record<EventType, EventDefinition>;

export type EventOf<T extends EventType> = z.infer<(typeof EVENT_REGISTRY)[T]['schema']>;
export type AnyEvent = { [T in EventType]: EventOf<T> }[EventType];
/** The events a stream carries, e.g. `StreamEvent<'timers'>` = the four timer events. */
export type StreamEvent<S extends StreamKey> = {
  [T in EventType]: (typeof EVENT_REGISTRY)[T]['stream'] extends S ? EventOf<T> : never;
}[EventType];
export type TimerEvent = StreamEvent<'timers'>;
export type TimerCreatedEvent = EventOf<'timer.created'>;
export type TimerCancelledEvent = EventOf<'timer.cancelled'>;
export type TimerProgressEvent = EventOf<'timer.progress'>;
export type TimerExpiredEvent = EventOf<'timer.expired'>;

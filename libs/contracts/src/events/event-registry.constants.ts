import { z } from 'zod';
import { timerSpecSchema } from '../timers/timer-spec.schema';
import { eventEnvelopeSchema } from './event-envelope.schema';

export const EVENT_TYPES = ['timer.created', 'timer.cancelled', 'timer.progress', 'timer.expired'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Streams group subjects; each service namespaces them (see `subjectFor`). */
export const STREAMS = {
  timers: { name: 'TIMERS', subjects: 'timers.>' },
} as const;
export type StreamKey = keyof typeof STREAMS;

export interface EventDefinition {
  stream: StreamKey;
  subject: string;
  version: number;
  schema: z.ZodType;
}

/**
 * The catalogue of events. Adding a type here does not compile until every consumer that maps
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
    version: 1,
    schema: eventEnvelopeSchema(
      'timer.cancelled',
      1,
      z.object({ reason: z.string().nullable(), cancelledAt: z.string() }),
    ),
  },
  'timer.progress': {
    stream: 'timers',
    subject: 'timers.progress',
    version: 1,
    schema: eventEnvelopeSchema(
      'timer.progress',
      1,
      z.object({ milestone: z.string(), percent: z.number(), dueAt: z.string(), firedAt: z.string() }),
    ),
  },
  'timer.expired': {
    stream: 'timers',
    subject: 'timers.expired',
    version: 1,
    schema: eventEnvelopeSchema('timer.expired', 1, z.object({ dueAt: z.string(), firedAt: z.string() })),
  },
} as const satisfies Record<EventType, EventDefinition>;

export type EventOf<T extends EventType> = z.infer<(typeof EVENT_REGISTRY)[T]['schema']>;
export type AnyEvent = { [T in EventType]: EventOf<T> }[EventType];
export type TimerCreatedEvent = EventOf<'timer.created'>;
export type TimerCancelledEvent = EventOf<'timer.cancelled'>;
export type TimerProgressEvent = EventOf<'timer.progress'>;
export type TimerExpiredEvent = EventOf<'timer.expired'>;

import { EVENT_REGISTRY, AnyEvent, EventType, EVENT_TYPES } from './event-registry.constants';

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** Validates an event at the boundary: every consumer decodes what it reads from the bus with this. */
export function parseEvent(raw: unknown): AnyEvent {
  const type = (raw as { type?: unknown } | null)?.type;
  if (!isEventType(type)) throw new InvalidEventError(`unknown event type ${JSON.stringify(type)}`);
  const result = EVENT_REGISTRY[type].schema.safeParse(raw);
  if (!result.success) {
    throw new InvalidEventError(`invalid ${type} event: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data as AnyEvent;
}

export function decodeEvent(bytes: Uint8Array): AnyEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new InvalidEventError('event payload is not JSON');
  }
  return parseEvent(raw);
}

/**
 * Serialises an event built by `createEvent` (typed, so well-formed by construction). It is not
 * validated again here: the consumers validate what they read, and parsing every event on the way
 * out as well doubled the validation cost of the hot paths (fired events, delivery outcomes).
 */
export function encodeEvent(event: AnyEvent): Uint8Array {
  return Buffer.from(JSON.stringify(event));
}

import { EVENT_REGISTRY, EventType, STREAMS, StreamKey } from './event-registry.constants';

/**
 * Every subject, stream and query pattern lives under a namespace (`MINOOTS_NAMESPACE`, default
 * `minoots`) so that test runs and several installations can share one NATS server without
 * hearing each other.
 */
export function resolveNamespace(env: NodeJS.ProcessEnv = process.env): string {
  const ns = env.MINOOTS_NAMESPACE ?? 'minoots';
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(ns)) {
    throw new Error(`MINOOTS_NAMESPACE must match ^[a-z][a-z0-9_]{0,40}$ (got ${JSON.stringify(ns)})`);
  }
  return ns;
}

export function subjectFor(namespace: string, type: EventType): string {
  return `${namespace}.${EVENT_REGISTRY[type].subject}`;
}

export function streamNameFor(namespace: string, stream: StreamKey): string {
  return `${namespace.toUpperCase()}_${STREAMS[stream].name}`;
}

export function streamSubjectsFor(namespace: string, stream: StreamKey): string {
  return `${namespace}.${STREAMS[stream].subjects}`;
}

/**
 * The timer stream's subjects except firings (`timers.fired.*`): creations and cancellations, what
 * the scheduler's projection applies. The scheduler that fires a trigger records it, so the
 * projection need not receive every firing back. (A stream written before firings moved holds
 * `timers.expired` too, which this still matches: applying it again changes nothing.)
 */
export function timerLifecycleSubjectsFor(namespace: string): string {
  return `${namespace}.timers.*`;
}

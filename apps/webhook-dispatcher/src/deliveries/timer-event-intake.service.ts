import { Inject, Injectable } from '@nestjs/common';
import { isTimerFiring, TimerEvent } from '@minoots/contracts';
import { ConsumedEvent, ConsumerTerm } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { EndpointsRepository } from '../endpoints/endpoints.repository';
import { DeliveriesRepository, DeliveryRow } from './deliveries.repository';
import { EndpointTarget, planEndpointDeliveries, timerEventPayload, timerEventTime, toEndpointTarget } from './endpoint-delivery.planner';
import { asDeliveryRow, newDeliveryRow, NewDeliveryRow } from './new-delivery-row.util';
import { RETRY_SCHEDULE } from './retry-schedule.provider';
import { decideTimerEvents, progressTimerIds, terminalClaims, timerCreations, TimerEventEffect } from './timer-event.decisions';
import { planTimerDeliveries } from './timer-delivery.planner';
import { TerminalLedger } from './terminal-ledger';
import { SettledTerminal, TerminalClaim, TimerTerminalsRepository } from './timer-terminals.repository';

export interface PlannedBatch {
  /** To insert (leased to this replica); their first attempts may start before the insert lands. */
  rows: NewDeliveryRow[];
  /** The same deliveries as the sender takes them. */
  deliveries: DeliveryRow[];
  /** Terminals decided in memory, to record with the deliveries (for later terms). */
  terminals: TerminalClaim[];
}

/**
 * Turns a batch of timer events into deliveries — to the timer's own webhooks and to every
 * enabled endpoint whose filter matches. The events carry the timer, so the only question left is
 * which terminal event of each timer came first. For a timer created during this consumer's term
 * the ledger in memory knows (the usual case: no round trip between a fired timer and its
 * webhook); for an older one, Postgres does (one statement per batch). Delivery ids derive from
 * (event, target), so a batch redelivered after a crash plans the same deliveries under the same ids.
 */
@Injectable()
export class TimerEventIntake {
  private readonly ledger = new TerminalLedger();
  private term?: ConsumerTerm;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(RETRY_SCHEDULE) private readonly schedule: number[],
    private readonly terminals: TimerTerminalsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
  ) {}

  async plan(batch: ConsumedEvent<TimerEvent>[], term: ConsumerTerm, leaseMs: number): Promise<PlannedBatch> {
    if (term !== this.term) {
      this.term = term;
      this.ledger.startTerm(term.firstSeq);
    }
    const settled = await this.settle(batch);
    // Only an event seen before (a crash before its ack) can have deliveries written already: each is
    // written when its first attempt ends, so an event's may be only partly there.
    const redelivered = batch.filter((b) => b.redelivered).map((b) => b.event.id);
    const written = await this.deliveries.deliveryIdsOfEvents(redelivered);
    const lease = { owner: this.config.instanceId, until: new Date(Date.now() + leaseMs) };
    const rows: NewDeliveryRow[] = [];
    for (const effect of decideTimerEvents(batch, settled.standing)) {
      for (const row of await this.rowsFor(effect, lease)) if (!written.has(row.id)) rows.push(row);
    }
    return { rows, deliveries: rows.map(asDeliveryRow), terminals: settled.toRecord };
  }

  /** The terminal that stands for each timer of the batch, and the claims still to be recorded. */
  private async settle(batch: ConsumedEvent<TimerEvent>[]): Promise<{ standing: Map<string, SettledTerminal>; toRecord: TerminalClaim[] }> {
    const creations = timerCreations(batch);
    // Decided before anything is recorded: recording may make the ledger forget, and raise its floor.
    const known = new Set([...creations].filter(([, creation]) => this.ledger.vouchesFor(creation.seq)).map(([timerId]) => timerId));
    const vouched = (timerId: string) => known.has(timerId);
    const claims = terminalClaims(batch);
    const askClaims = claims.filter((c) => !vouched(c.timerId));
    const askProgress = progressTimerIds(batch).filter((id) => !vouched(id));
    if (askClaims.length + askProgress.length > 0) {
      // Recorded by the statement itself; what else it knows goes to the ledger too, since an event
      // of the same timer with a known creation may follow.
      for (const [timerId, terminal] of await this.terminals.settle(askClaims, askProgress)) {
        this.ledger.record(timerId, terminal, creations.get(timerId)!.bound);
      }
    }
    for (const claim of claims) this.ledger.record(claim.timerId, claim, creations.get(claim.timerId)!.bound);
    const standing = new Map<string, SettledTerminal>();
    for (const timerId of creations.keys()) {
      const terminal = this.ledger.get(timerId);
      if (terminal) standing.set(timerId, terminal);
    }
    // Only now, with every timer of the batch decided: forgetting may not touch what it was decided on.
    this.ledger.trim();
    return { standing, toRecord: claims.filter((c) => vouched(c.timerId)) };
  }

  private async rowsFor({ event, timer, outcome }: TimerEventEffect, lease: { owner: string; until: Date }): Promise<NewDeliveryRow[]> {
    // The id's time: the due time for a firing (a trigger fired again after a crash is published
    // anew, with the same event id but a later occurredAt), else when the event happened.
    const idTime = isTimerFiring(event) ? event.data.dueAt : event.occurredAt;
    const common = { tenantId: event.tenantId, eventId: event.id, timerId: event.aggregateId, eventTimeMs: Date.parse(idTime), lease };
    const rows = planTimerDeliveries(event, timer, outcome).map((p) =>
      newDeliveryRow({ ...common, eventType: p.eventType, target: p.target, endpointId: null, url: p.url, payload: p.payload, maxAttempts: this.schedule.length + 1 }),
    );
    const endpoints = await this.endpointsOf(event.tenantId);
    if (endpoints.length === 0) return rows;
    const envelope = { id: event.id, type: event.type, timestamp: timerEventTime(event), tenantId: event.tenantId };
    for (const p of planEndpointDeliveries(envelope, timerEventPayload(event, timer, outcome), endpoints)) {
      rows.push(newDeliveryRow({ ...common, eventType: p.eventType, target: p.endpoint.id, endpointId: p.endpoint.id, url: p.endpoint.url, payload: p.payload, maxAttempts: p.endpoint.maxAttempts }));
    }
    return rows;
  }

  private async endpointsOf(tenantId: string): Promise<EndpointTarget[]> {
    const rows = await this.endpoints.enabledFor(tenantId);
    return rows.map(toEndpointTarget);
  }
}

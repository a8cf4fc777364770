import { Inject, Injectable } from '@nestjs/common';
import { QueryRequest, QueryResponse } from '@minoots/contracts';
import { TimersRepository } from './timers.repository';
import { toTimerView } from './timer-view.mapper';
import { TimerStreamConsumer } from './timer-stream.consumer';
import { SCHEDULER_CONFIG, SchedulerConfig } from '../config/scheduler.config';

const READ_YOUR_WRITES_TIMEOUT_MS = 5_000;
/** Longest a read of a just-cancelled timer waits for its due expiry to settle. */
const EXPIRY_SETTLE_TIMEOUT_MS = 3_000;
const EXPIRY_SETTLE_POLL_MS = 25;
/** An expiry unsettled this long past its due time has a holder that died: another replica takes it over. */
const EXPIRY_STALLED_AFTER_MS = 1_000;

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) return undefined;
    return { createdAt: date, id };
  } catch {
    return undefined;
  }
}

export class InvalidCursorError extends Error {}

@Injectable()
export class TimerQueryService {
  constructor(
    private readonly timers: TimersRepository,
    private readonly stream: TimerStreamConsumer,
    @Inject(SCHEDULER_CONFIG) private readonly config: Pick<SchedulerConfig, 'SCHEDULER_LEASE_MS'>,
  ) {}

  async get(request: QueryRequest<'timers.get'>): Promise<QueryResponse<'timers.get'>> {
    await this.stream.watermark.waitFor(request.minSeq, READ_YOUR_WRITES_TIMEOUT_MS);
    let row = await this.timers.findById(request.tenantId, request.timerId);
    // A cancel racing the expiry: the replica firing it records the expiry itself, a moment after
    // publishing it (or, should it die first, whoever claims it next). If the expiry came first in
    // the stream, it wins then; answer once that is known, not "cancelled" now and "expired" later.
    const deadline = Date.now() + EXPIRY_SETTLE_TIMEOUT_MS;
    while (row?.status === 'cancelled' && Date.now() < deadline) {
      const unsettled = await this.timers.expiryUnsettled(row.id, EXPIRY_STALLED_AFTER_MS, this.config.SCHEDULER_LEASE_MS);
      // Read after the check: an expiry recorded between the first read and the check shows here.
      row = await this.timers.findById(request.tenantId, request.timerId);
      if (!unsettled) break;
      if (row?.status === 'cancelled') await new Promise((resolve) => setTimeout(resolve, EXPIRY_SETTLE_POLL_MS));
    }
    return { timer: row ? toTimerView(row) : null };
  }

  async list(request: QueryRequest<'timers.list'>): Promise<QueryResponse<'timers.list'>> {
    await this.stream.watermark.waitFor(request.minSeq, READ_YOUR_WRITES_TIMEOUT_MS);
    const after = request.cursor ? decodeCursor(request.cursor) : undefined;
    if (request.cursor && !after) throw new InvalidCursorError('cursor is not one this API returned');
    const rows = await this.timers.list({ ...request, limit: request.limit + 1, after });
    const page = rows.slice(0, request.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > request.limit && last ? encodeCursor(new Date(last.created_at).toISOString(), last.id) : null;
    const now = Date.now();
    return { timers: page.map((row) => toTimerView(row, now)), nextCursor };
  }
}

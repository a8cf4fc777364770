import { TimerQueryService } from './timer-query.service';
import { TimerRow, TimersRepository } from './timers.repository';
import { TimerStreamConsumer } from './timer-stream.consumer';

function row(status: TimerRow['status']): TimerRow {
  const at = new Date('2026-01-01T00:00:00.000Z');
  return {
    id: 'timer_1',
    tenant_id: 'tenant_1',
    name: 'race',
    agent_id: null,
    duration_ms: 1_000,
    start_at: at,
    fire_at: new Date(at.getTime() + 1_000),
    status,
    events: {},
    metadata: null,
    created_at: at,
    expired_at: status === 'expired' ? new Date(at.getTime() + 1_000) : null,
    cancelled_at: status === 'cancelled' ? new Date(at.getTime() + 999) : null,
    cancel_reason: null,
    terminal_seq: 7,
    created_seq: 1,
  };
}

/**
 * The interleavings of a read after a cancel that a real Postgres cannot be made to produce on
 * demand: the firing replica's record landing between two of the read's statements.
 */
describe('TimerQueryService.get after a cancel racing the expiry', () => {
  function service(reads: TimerRow['status'][], unsettled: boolean[]) {
    const timers = {
      findById: jest.fn(async () => row(reads.length > 1 ? reads.shift()! : reads[0])),
      expiryUnsettled: jest.fn(async () => (unsettled.length > 1 ? unsettled.shift()! : unsettled[0])),
    };
    const stream = { watermark: { waitFor: async () => true } };
    return { timers, query: new TimerQueryService(timers as unknown as TimersRepository, stream as unknown as TimerStreamConsumer, { SCHEDULER_LEASE_MS: 10_000 }) };
  }

  it('answers with the expiry recorded between its first read and its check, not the stale "cancelled"', async () => {
    const { timers, query } = service(['cancelled', 'expired'], [false]);
    const { timer } = await query.get({ tenantId: 'tenant_1', timerId: 'timer_1', minSeq: 8 });
    expect(timer?.status).toBe('expired');
    expect(timers.expiryUnsettled).toHaveBeenCalledTimes(1);
  });

  it('waits while the expiry is unsettled, then answers what it settled to', async () => {
    const { timers, query } = service(['cancelled', 'cancelled', 'cancelled', 'expired'], [true, true, false]);
    const { timer } = await query.get({ tenantId: 'tenant_1', timerId: 'timer_1' });
    expect(timer?.status).toBe('expired');
    expect(timers.expiryUnsettled).toHaveBeenCalledTimes(3);
    // A holder still at it a second past the due time under the lease it claimed with is taken over.
    expect(timers.expiryUnsettled).toHaveBeenCalledWith('timer_1', 1_000, 10_000);
  });

  it('answers "cancelled" at once when no expiry is in flight, and asks nothing for other states', async () => {
    const cancelled = service(['cancelled'], [false]);
    expect((await cancelled.query.get({ tenantId: 'tenant_1', timerId: 'timer_1' })).timer?.status).toBe('cancelled');
    expect(cancelled.timers.findById).toHaveBeenCalledTimes(2);
    const pending = service(['pending'], [true]);
    expect((await pending.query.get({ tenantId: 'tenant_1', timerId: 'timer_1' })).timer?.status).toBe('pending');
    expect(pending.timers.expiryUnsettled).not.toHaveBeenCalled();
  });
});

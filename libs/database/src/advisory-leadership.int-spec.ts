import { expectEventually, FreezableRelay } from '@minoots/testing';
import { AdvisoryLeadership } from './advisory-leadership.service';

const PG_URL = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

describe('AdvisoryLeadership (real Postgres)', () => {
  const logger = { log: jest.fn(), warn: jest.fn() };
  const relay = new FreezableRelay({ host: PG_URL.hostname, port: Number(PG_URL.port || 5432) });
  const lockName = `leadership-spec-${process.pid}-${Date.now()}`;

  beforeAll(() => relay.start());
  afterAll(() => relay.stop());

  it('elects one leader, and a leader whose session stops answering steps down', async () => {
    const events: string[] = [];
    const viaRelay = new URL(PG_URL);
    viaRelay.port = String(relay.port);
    const first = new AdvisoryLeadership({
      url: viaRelay.toString(),
      lockName,
      checkMs: 100,
      // Long enough that a stalled machine does not fail the check before the freeze.
      checkTimeoutMs: 2_000,
      logger,
      onElected: async () => void events.push('first elected'),
      onDeposed: async () => void events.push('first deposed'),
    });
    const second = new AdvisoryLeadership({
      url: PG_URL.toString(),
      lockName,
      retryMs: 100,
      logger,
      onElected: async () => void events.push('second elected'),
      onDeposed: async () => void events.push('second deposed'),
    });
    try {
      await first.start();
      expect(first.isLeader).toBe(true);
      await second.start();
      expect(second.isLeader).toBe(false);
      // The network goes quiet: no error, no close; the session on the server still holds the lock.
      relay.freeze();
      await expectEventually(() => expect(events).toContain('first deposed'), { timeoutMs: 10_000 });
      expect(first.isLeader).toBe(false);
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('leadership check failed'));
      // Once the stale session is gone on the server, the other replica takes over.
      await relay.stop();
      await expectEventually(() => expect(second.isLeader).toBe(true), { timeoutMs: 10_000 });
      expect(events).toEqual(['first elected', 'first deposed', 'second elected']);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it('stopped while an attempt is under way, closes that attempt’s session and holds nothing', async () => {
    const name = `${lockName}-stopped`;
    const options = { url: PG_URL.toString(), lockName: name, retryMs: 50, logger, onDeposed: async () => undefined };
    const elected: string[] = [];
    const quitter = new AdvisoryLeadership({ ...options, onElected: async () => void elected.push('quitter') });
    // Not awaited: stop() comes while it connects and asks for the lock.
    const attempt = quitter.start();
    await quitter.stop();
    await attempt;
    expect(quitter.isLeader).toBe(false);
    const next = new AdvisoryLeadership({ ...options, onElected: async () => void elected.push('next') });
    try {
      await next.start();
      expect(next.isLeader).toBe(true);
      expect(elected).toEqual(['next']);
    } finally {
      await next.stop();
    }
  });
});

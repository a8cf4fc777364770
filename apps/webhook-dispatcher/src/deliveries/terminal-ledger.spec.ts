import { TerminalLedger } from './terminal-ledger';

describe('TerminalLedger', () => {
  it('vouches only for timers created in its term, and for none before a term starts', () => {
    const ledger = new TerminalLedger();
    expect(ledger.vouchesFor(10)).toBe(false);
    ledger.startTerm(100);
    expect(ledger.vouchesFor(99)).toBe(false);
    expect(ledger.vouchesFor(100)).toBe(true);
    expect(ledger.vouchesFor(undefined)).toBe(false);
  });

  it('keeps the earliest terminal of each timer, whatever order they are recorded in', () => {
    const ledger = new TerminalLedger();
    ledger.startTerm(1);
    expect(ledger.record('t1', { seq: 9, status: 'expired' }, 2)).toEqual(expect.objectContaining({ seq: 9, status: 'expired' }));
    expect(ledger.record('t1', { seq: 5, status: 'cancelled' }, 2)).toEqual(expect.objectContaining({ seq: 5, status: 'cancelled' }));
    expect(ledger.record('t1', { seq: 7, status: 'expired' }, 2)).toEqual(expect.objectContaining({ seq: 5, status: 'cancelled' }));
    expect(ledger.get('t1')).toEqual(expect.objectContaining({ seq: 5, status: 'cancelled' }));
  });

  it('forgets the oldest entries past its capacity, and stops vouching for timers as old as theirs', () => {
    const ledger = new TerminalLedger(10);
    ledger.startTerm(1);
    // Timer i was created at sequence 10 + i and ended at 1000 + i.
    for (let i = 0; i < 11; i++) ledger.record(`t${i}`, { seq: 1000 + i, status: 'expired' }, 10 + i);
    // Nothing is forgotten while a batch is being settled, only when it trims.
    expect(ledger.size).toBe(11);
    ledger.trim();
    expect(ledger.size).toBe(10);
    expect(ledger.get('t0')).toBeUndefined();
    // t0 was forgotten: a timer created no later than it is settled elsewhere; later ones still here.
    expect(ledger.vouchesFor(10)).toBe(false);
    expect(ledger.vouchesFor(11)).toBe(true);
    expect(ledger.get('t1')).toEqual(expect.objectContaining({ seq: 1001 }));
  });

  it('counts a changed entry as new when it comes to forgetting', () => {
    const ledger = new TerminalLedger(2);
    ledger.startTerm(1);
    ledger.record('a', { seq: 10, status: 'expired' }, 2);
    ledger.record('b', { seq: 11, status: 'expired' }, 3);
    ledger.record('a', { seq: 5, status: 'cancelled' }, 2); // an earlier terminal of a, settled later
    ledger.record('c', { seq: 12, status: 'expired' }, 4);
    ledger.trim();
    expect(ledger.get('b')).toBeUndefined();
    expect(ledger.get('a')).toEqual(expect.objectContaining({ seq: 5, status: 'cancelled' }));
  });

  it('starts each term empty', () => {
    const ledger = new TerminalLedger();
    ledger.startTerm(1);
    ledger.record('t1', { seq: 3, status: 'cancelled' }, 2);
    ledger.startTerm(50);
    expect(ledger.get('t1')).toBeUndefined();
    expect(ledger.vouchesFor(2)).toBe(false);
  });
});

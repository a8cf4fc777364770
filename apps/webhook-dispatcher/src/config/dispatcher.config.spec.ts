import { loadDispatcherConfig } from './dispatcher.config';

describe('dispatcher configuration', () => {
  it('holds a new delivery for its first attempt for 3 s unless told otherwise, and 0 turns the hold off', () => {
    expect(loadDispatcherConfig({}).DELIVERY_FIRST_ATTEMPT_HOLD_MS).toBe(3_000);
    expect(loadDispatcherConfig({ DELIVERY_FIRST_ATTEMPT_HOLD_MS: '0' }).DELIVERY_FIRST_ATTEMPT_HOLD_MS).toBe(0);
    expect(loadDispatcherConfig({ DELIVERY_FIRST_ATTEMPT_HOLD_MS: '5000' }).DELIVERY_FIRST_ATTEMPT_HOLD_MS).toBe(5_000);
  });

  it('refuses a hold that could stall the stream behind unacknowledged events, naming the variable', () => {
    expect(() => loadDispatcherConfig({ DELIVERY_FIRST_ATTEMPT_HOLD_MS: '5001' })).toThrow(/DELIVERY_FIRST_ATTEMPT_HOLD_MS: at most 5000/);
    expect(() => loadDispatcherConfig({ DELIVERY_FIRST_ATTEMPT_HOLD_MS: '-1' })).toThrow(/DELIVERY_FIRST_ATTEMPT_HOLD_MS/);
  });
});

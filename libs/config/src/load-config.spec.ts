import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config.util';
import { envFields } from './env-fields.util';

const schema = z.object({
  PORT: envFields.port(3000),
  DATABASE_URL: envFields.databaseUrl(),
  NATS_URL: envFields.natsUrl(),
});

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    expect(loadConfig(schema, {})).toEqual({
      PORT: 3000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/minoots',
      NATS_URL: 'nats://127.0.0.1:4222',
    });
    expect(loadConfig(schema, { PORT: '8080' }).PORT).toBe(8080);
    // 0 is kept (an ephemeral port), not replaced by the default.
    expect(loadConfig(schema, { PORT: '0' }).PORT).toBe(0);
    expect(() => loadConfig(schema, { PORT: '' })).toThrow(/PORT: expected a TCP port number/);
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow(/PORT: expected a TCP port number \(0-65535\)/);
  });

  it('names every bad variable, without echoing values', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'http', DATABASE_URL: 'mysql://secret@host/db', NATS_URL: 'localhost' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT: expected a TCP port number');
    expect(message).toContain('DATABASE_URL: expected a postgres:// connection URL');
    expect(message).toContain('NATS_URL: expected nats://host:port');
    expect(message).not.toContain('secret');
  });
});

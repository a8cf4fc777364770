import { z } from 'zod';

/** Reusable environment fields, each with a message that says what is expected. */
export const envFields = {
  /** The fallback applies only when the variable is absent; 0 is a free port, blank is an error (not 0). */
  port: (fallback: number) =>
    z
      .string({ message: 'expected a TCP port number' })
      .regex(/^\d+$/, 'expected a TCP port number')
      .pipe(z.coerce.number<string>().max(65535, 'expected a TCP port number (0-65535)'))
      .default(fallback),
  /** An address to listen on; blank is refused rather than read as "every interface". */
  host: (fallback: string) => z.string().min(1, 'expected a host name or IP address to listen on').default(fallback),
  positiveInt: (fallback: number) =>
    z.coerce.number({ message: 'expected a positive integer' }).int('expected a positive integer').positive('expected a positive integer').default(fallback),
  nonNegativeInt: (fallback: number) =>
    z.coerce.number({ message: 'expected a whole number, 0 or more' }).int('expected a whole number, 0 or more').min(0, 'expected a whole number, 0 or more').default(fallback),
  databaseUrl: () =>
    z
      .string({ message: 'expected a postgres:// connection URL' })
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection URL')
      .default('postgres://postgres@127.0.0.1:5432/minoots'),
  natsUrl: () =>
    z
      .string({ message: 'expected nats://host:port (comma-separated for a cluster)' })
      .regex(/^(nats|tls):\/\/[^,]+(,(nats|tls):\/\/[^,]+)*$/, 'expected nats://host:port (comma-separated for a cluster)')
      .default('nats://127.0.0.1:4222'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** NestJS takes the list of enabled levels; `LOG_LEVEL=log` enables fatal, error, warn and log. */
export function nestLogLevels(level: LogLevelName): LogLevelName[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

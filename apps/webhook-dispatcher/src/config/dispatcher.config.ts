import { hostname } from 'node:os';
import { z } from 'zod';
import { envFields, loadConfig } from '@minoots/config';
import { resolveNamespace } from '@minoots/contracts';
import { cidrListEnvSchema, parseCidrList } from '@minoots/url-policy';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from '../deliveries/retry-schedule.util';

const DEV_SECRETS_KEY = 'minoots-development-secrets-key';

export const dispatcherConfigSchema = z.object({
  DATABASE_URL: envFields.databaseUrl(),
  NATS_URL: envFields.natsUrl(),
  /** CIDRs that webhook targets may resolve to although private (e.g. 127.0.0.0/8 for local receivers). */
  WEBHOOK_ALLOWED_CIDRS: cidrListEnvSchema,
  /** Encrypts signing secrets at rest (AES-256-GCM). Production must set a long random value. */
  MINOOTS_SECRETS_KEY: z
    .string()
    .optional()
    .transform((v) => v || DEV_SECRETS_KEY)
    .refine((v) => v.length >= 16, 'expected at least 16 characters'),
  /**
   * How long an attempt may take from getting a connection (connecting included); waiting for a
   * free connection to the receiver has a bound as long of its own (see WebhookHttpClient.post).
   */
  DELIVERY_TIMEOUT_MS: envFields.positiveInt(10_000),
  /** Connections kept to one receiver (scheme, host and port); attempts beyond them wait for a free one. */
  DELIVERY_CONNECTIONS_PER_ORIGIN: envFields.positiveInt(256),
  /**
   * Where attempts' HTTP requests are sent from: `worker`, a worker thread beside the dispatcher's
   * main one (bursts ~19 % faster on two cores), or `inline`, the main thread itself.
   */
  DELIVERY_HTTP: z.enum(['worker', 'inline']).default('worker'),
  /** Delays between attempts; tests shrink it, production keeps the seeds' schedule. */
  DELIVERY_RETRY_SCHEDULE: z
    .string()
    .default(DEFAULT_RETRY_SCHEDULE)
    .refine((raw) => {
      try {
        return parseRetrySchedule(raw).length > 0;
      } catch {
        return false;
      }
    }, 'expected comma-separated durations such as 5s,25s,125s,625s'),
  /** Seconds a rotated-out signing secret keeps signing alongside the new one. */
  SIGNING_SECRET_GRACE_SECONDS: envFields.positiveInt(24 * 3600),
  /** How often stranded deliveries (crash between recording and sending) are looked for. */
  DELIVERY_SWEEP_INTERVAL_MS: envFields.positiveInt(1_000),
  /**
   * Attempts under way on this replica above which its sweeper claims nothing more (retries,
   * deliveries put back unsent): a backlog for a slow receiver waits in Postgres, not in memory.
   */
  DELIVERY_SWEEP_MAX_IN_FLIGHT: envFields.positiveInt(2_000),
  MAX_ENDPOINTS_PER_TENANT: envFields.positiveInt(10),
  /** The window endpoint rate limits are counted in; a limit of N/min allows N·window/60 s per window. */
  ENDPOINT_RATE_WINDOW_MS: envFields.positiveInt(60_000),
  /** Consecutive failed attempts after which an endpoint is marked failing, then disabled. */
  ENDPOINT_FAILING_AFTER: envFields.positiveInt(5),
  ENDPOINT_DISABLE_AFTER: envFields.positiveInt(15),
  /**
   * Least milliseconds between two intake batches (0: none). Firings of timers created while this
   * replica leads need no database round trip before their webhooks go out, so any wait here is
   * lateness; raise it only if many firings are of timers older than the replica's leadership
   * (each batch of those costs one Postgres round trip).
   */
  DISPATCHER_INTAKE_BATCH_MS: envFields.nonNegativeInt(0),
  /**
   * How long a new delivery waits for its first attempt to end before it is written anyway (see
   * FirstAttemptHold): it bounds how long a delivery in its first attempt is missing from the API,
   * and how long its event goes unacknowledged. 0 writes each delivery before its attempt ends.
   */
  DELIVERY_FIRST_ATTEMPT_HOLD_MS: envFields.nonNegativeInt(3_000),
  /** How long another replica's endpoint changes may take to reach this one's fan-out. */
  ENDPOINT_CACHE_MS: envFields.positiveInt(1_000),
  /** Days a timer's first terminal event is remembered (it only races events published within a firing lease). */
  TERMINAL_RETENTION_DAYS: envFields.positiveInt(7),
  /** `/metrics` and `/health`; 0 picks a free port. */
  DISPATCHER_METRICS_PORT: envFields.port(9465),
  METRICS_HOST: envFields.host('127.0.0.1'),
  DISPATCHER_INSTANCE_ID: z.string().min(1).optional(),
  LOG_LEVEL: envFields.logLevel(),
  NODE_ENV: z.string().default('development'),
});

/**
 * A batch is acknowledged once its slowest first attempt has ended (or the hold has passed), and,
 * with acknowledgement policy "all", every batch after it waits as well. JetStream stops delivering
 * at 20,000 unacknowledged events: 5 s keeps a stream of 4,000 firings a second to slow receivers
 * below that.
 */
const MAX_FIRST_ATTEMPT_HOLD_MS = 5_000;

export type DispatcherConfig = z.infer<typeof dispatcherConfigSchema> & {
  namespace: string;
  instanceId: string;
  allowedCidrs: string[];
  usesDevelopmentSecretsKey: boolean;
};

export function loadDispatcherConfig(env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  const config = loadConfig(dispatcherConfigSchema, env);
  const usesDevelopmentSecretsKey = config.MINOOTS_SECRETS_KEY === DEV_SECRETS_KEY;
  if (usesDevelopmentSecretsKey && config.NODE_ENV === 'production') {
    throw new Error('Invalid configuration:\n  - MINOOTS_SECRETS_KEY: must be set in production (a long random value)');
  }
  if (config.DELIVERY_FIRST_ATTEMPT_HOLD_MS > MAX_FIRST_ATTEMPT_HOLD_MS) {
    throw new Error(`Invalid configuration:\n  - DELIVERY_FIRST_ATTEMPT_HOLD_MS: at most ${MAX_FIRST_ATTEMPT_HOLD_MS}`);
  }
  return {
    ...config,
    namespace: resolveNamespace(env),
    instanceId: config.DISPATCHER_INSTANCE_ID ?? `dispatcher@${hostname()}`,
    allowedCidrs: parseCidrList(config.WEBHOOK_ALLOWED_CIDRS),
    usesDevelopmentSecretsKey,
  };
}

export const DISPATCHER_CONFIG = Symbol('DISPATCHER_CONFIG');

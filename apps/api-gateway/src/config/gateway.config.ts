import { z } from 'zod';
import { envFields, loadConfig } from '@minoots/config';
import { resolveNamespace } from '@minoots/contracts';
import { cidrListEnvSchema, parseCidrList } from '@minoots/url-policy';

export const API_KEY_PATTERN = /^mnt_(live|test)_[A-Za-z0-9]{24,64}$/;

export const gatewayConfigSchema = z.object({
  PORT: envFields.port(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: envFields.databaseUrl(),
  NATS_URL: envFields.natsUrl(),
  /** Same allow-list as the dispatcher's: a target it would refuse is refused at creation (422). */
  WEBHOOK_ALLOWED_CIDRS: cidrListEnvSchema,
  /** Makes the development key deterministic (CI, docker compose, demos). Blank means unset. */
  MINOOTS_BOOTSTRAP_API_KEY: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || API_KEY_PATTERN.test(v), 'expected mnt_live_… or mnt_test_… followed by 24-64 letters or digits'),
  QUERY_TIMEOUT_MS: envFields.positiveInt(10_000),
  /** Requests per API key per minute, per gateway replica. */
  GATEWAY_RATE_LIMIT_PER_MINUTE: envFields.positiveInt(6_000),
  SIGNING_SECRET_GRACE_SECONDS: envFields.positiveInt(24 * 3600),
  LOG_LEVEL: envFields.logLevel(),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema> & { namespace: string; instanceId: string; allowedCidrs: string[] };

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = loadConfig(gatewayConfigSchema, env);
  return {
    ...config,
    namespace: resolveNamespace(env),
    instanceId: `api-gateway-${process.pid}`,
    allowedCidrs: parseCidrList(config.WEBHOOK_ALLOWED_CIDRS),
  };
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

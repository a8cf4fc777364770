import { z } from 'zod';

const endpointFields = {
  name: z.string({ message: 'expected a string' }).trim().min(1, 'must not be empty').max(200),
  url: z.string({ message: 'expected a URL string' }).min(1).max(2048),
  eventTypes: z.array(z.string().min(1).max(100), { message: 'expected a list such as ["timer.expired", "timer.*"]' }).min(1, 'needs at least one event type').max(20),
  secret: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
  enabled: z.boolean().optional(),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
  maxAttempts: z.number().int().min(1, 'must be between 1 and 10').max(10, 'must be between 1 and 10').optional(),
  description: z.string().max(2000).nullable().optional(),
  metadata: z.record(z.string(), z.unknown(), { message: 'expected an object' }).nullable().optional(),
};

export const createEndpointRequestSchema = z.strictObject(endpointFields);

const { secret: _secret, ...updatable } = endpointFields;
export const updateEndpointRequestSchema = z
  .strictObject(updatable)
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });

export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});

export const timeRangeSchema = z.strictObject({ from: z.string().max(64).optional(), to: z.string().max(64).optional() }).optional();
export const rotateSecretRequestSchema = z.strictObject({ graceSeconds: z.number().int().min(0).max(30 * 24 * 3600).optional() }).optional();
export const statsQuerySchema = z.strictObject({ since: z.string().max(64).optional() });

export const listDeliveriesQuerySchema = z.strictObject({
  endpointId: z.string().max(100).optional(),
  timerId: z.string().max(100).optional(),
  status: z.enum(['pending', 'succeeded', 'dead']).optional(),
  eventType: z.string().max(100).optional(),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});

import { z } from 'zod';

const target = {
  webhook: z.string({ message: 'expected a URL string' }).min(1).max(2048),
  message: z.string().max(10_000).optional(),
  data: z.unknown().optional(),
};

export const createTimerRequestSchema = z
  .strictObject({
    name: z.string({ message: 'expected a string' }).trim().min(1, 'must not be empty').max(200),
    duration: z.union([z.string(), z.number()], { message: 'expected a duration such as "30s", "15m", "6h30m" or a number of milliseconds' }).optional(),
    fireAt: z.string({ message: 'expected an ISO-8601 date-time' }).optional(),
    agentId: z.string().min(1).max(200).optional(),
    metadata: z.record(z.string(), z.unknown(), { message: 'expected an object' }).optional(),
    events: z
      .strictObject({
        on_expire: z.strictObject(target).optional(),
        on_progress: z.strictObject({ ...target, intervals: z.array(z.string()).min(1, 'needs at least one interval such as "50%"').max(20) }).optional(),
        on_cancel: z.strictObject(target).optional(),
      })
      .optional(),
  })
  .refine((body) => (body.duration === undefined) !== (body.fireAt === undefined), {
    message: 'give either duration or fireAt (exactly one)',
    path: ['duration'],
  });

export type CreateTimerRequest = z.infer<typeof createTimerRequestSchema>;

export const cancelTimerRequestSchema = z
  .strictObject({ reason: z.string().max(1000).optional() })
  .optional();

export const listTimersQuerySchema = z.strictObject({
  status: z.enum(['pending', 'expired', 'cancelled']).optional(),
  agentId: z.string().max(200).optional(),
  name: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});

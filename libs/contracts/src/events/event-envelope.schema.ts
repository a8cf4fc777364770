import { z } from 'zod';

/** Every event on the bus: `{ id, type, version, occurredAt, tenantId, aggregateId, data }`. */
export function eventEnvelopeSchema<TType extends string, TData extends z.ZodType>(
  type: TType,
  version: number,
  data: TData,
) {
  return z.object({
    id: z.string().min(1),
    type: z.literal(type),
    version: z.literal(version),
    occurredAt: z.string(),
    tenantId: z.string().min(1),
    aggregateId: z.string().min(1),
    data,
  });
}

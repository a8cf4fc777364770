import { z } from 'zod';
import { parseCidrList } from './parse-cidr-list.util';

/** `WEBHOOK_ALLOWED_CIDRS` as an environment field: comma-separated CIDRs, checked at start-up. */
export const cidrListEnvSchema = z
  .string()
  .optional()
  .superRefine((raw, ctx) => {
    try {
      parseCidrList(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `expected comma-separated CIDRs: ${(error as Error).message}` });
    }
  });

import { z } from 'zod';

/** A webhook target carried by a timer (the seeds' `events.on_expire` / `on_progress` / `on_cancel`). */
export const webhookTargetSchema = z.object({
  webhook: z.string().min(1).max(2048),
  message: z.string().max(10_000).optional(),
  data: z.unknown().optional(),
});

export const progressTargetSchema = webhookTargetSchema.extend({
  intervals: z.array(z.string()).min(1).max(20),
});

export const timerEventsSchema = z.object({
  on_expire: webhookTargetSchema.optional(),
  on_progress: progressTargetSchema.optional(),
  on_cancel: webhookTargetSchema.optional(),
});

/** The immutable definition of a timer, as the gateway accepted it. Times are ISO-8601 strings. */
export const timerSpecSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  agentId: z.string().nullable(),
  durationMs: z.number().int().positive(),
  startAt: z.string(),
  fireAt: z.string(),
  /** Progress milestones resolved to percentages, kept with their original labels ("25%"). */
  milestones: z.array(z.object({ label: z.string(), percent: z.number() })),
  events: timerEventsSchema,
  metadata: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
});

/**
 * The timer as its lifecycle events carry it (the spec less the milestone list): enough for a
 * consumer to act on `timer.progress` / `timer.expired` / `timer.cancelled` without having kept
 * the `timer.created` event — so the dispatcher needs no copy of every pending timer.
 */
export const timerSnapshotSchema = timerSpecSchema.omit({ milestones: true });

export type WebhookTarget = z.infer<typeof webhookTargetSchema>;
export type ProgressTarget = z.infer<typeof progressTargetSchema>;
export type TimerEvents = z.infer<typeof timerEventsSchema>;
export type TimerSpec = z.infer<typeof timerSpecSchema>;
export type TimerSnapshot = z.infer<typeof timerSnapshotSchema>;

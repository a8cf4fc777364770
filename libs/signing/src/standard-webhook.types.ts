export interface StandardWebhookParts {
  /** The `webhook-id` header: a unique message id, reused across retries. */
  id: string;
  /** The `webhook-timestamp` header: integer seconds since the Unix epoch. */
  timestamp: number;
  /** The raw request body, exactly as sent on the wire. */
  body: string | Buffer;
}

export interface VerifyStandardWebhookOptions extends Omit<StandardWebhookParts, 'timestamp'> {
  /** Integer seconds; the raw `webhook-timestamp` header string is accepted too. */
  timestamp: number | string;
  /** The `webhook-signature` header: space-separated `v1,<base64>` signatures. */
  signatureHeader: string | null | undefined;
  /** Every currently valid secret; more than one during rotation. */
  secrets: readonly string[];
  /** Maximum allowed distance between `timestamp` and `now`, in either direction. */
  toleranceSeconds?: number;
  now?: Date;
}

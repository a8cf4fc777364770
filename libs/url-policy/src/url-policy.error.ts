/** Raised from the connect-time lookup; `code` lets HTTP clients tell it apart from DNS failures. */
export class UrlPolicyError extends Error {
  override readonly name = 'UrlPolicyError';
  readonly code = 'ERR_URL_POLICY';

  constructor(
    message: string,
    readonly hostname: string,
    readonly address: string,
  ) {
    super(message);
  }
}

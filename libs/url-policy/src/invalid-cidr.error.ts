export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';

  constructor(readonly entry: string) {
    super(`Invalid CIDR ${JSON.stringify(entry)} in the webhook allow-list: use entries like 127.0.0.0/8 or ::1/128`);
  }
}

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export { signMinoots } from './sign-minoots.util';
export { verifyMinoots } from './verify-minoots.util';
export type { StandardWebhookParts, VerifyStandardWebhookOptions } from './standard-webhook.types';
export { signStandardWebhook } from './sign-standard-webhook.util';
export { standardWebhookSignatureHeader } from './standard-webhook-signature-header.util';
export { verifyStandardWebhook } from './verify-standard-webhook.util';
export { generateSecret } from './generate-secret.util';
export { SecretBox } from './secret-box.class';
export { SecretBoxError } from './secret-box.error';

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { decodeStrictBase64 } from './decode-strict-base64.util';
import { SecretBoxError } from './secret-box.error';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts secrets at rest with AES-256-GCM as `v1:<base64 iv>:<base64 tag>:<base64 ciphertext>`. */
export class SecretBox {
  private readonly key: Buffer;

  /**
   * The key is SHA-256 of `keyMaterial`. That is not a password KDF, so production must supply a
   * high-entropy key (e.g. `openssl rand -base64 32`), never a human-chosen passphrase.
   */
  constructor(keyMaterial: string) {
    if (typeof keyMaterial !== 'string' || keyMaterial.length === 0) {
      throw new SecretBoxError('SecretBox key material must be a non-empty string');
    }
    this.key = createHash('sha256').update(keyMaterial, 'utf8').digest();
  }

  seal(plaintext: string): string {
    if (typeof plaintext !== 'string') throw new SecretBoxError('SecretBox can only seal strings');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${VERSION}:${iv.toString('base64')}:${tag.toString('base64')}:${ciphertext.toString('base64')}`;
  }

  open(sealed: string): string {
    const parts = typeof sealed === 'string' ? sealed.split(':') : [];
    const iv = decodeStrictBase64(parts[1] ?? '');
    const tag = decodeStrictBase64(parts[2] ?? '');
    const ciphertext = decodeStrictBase64(parts[3] ?? '');
    if (parts.length !== 4 || parts[0] !== VERSION || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) {
      throw new SecretBoxError(`Cannot open sealed secret: expected the format ${VERSION}:<iv>:<tag>:<ciphertext>`);
    }

    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('Cannot open sealed secret: it was tampered with or sealed with a different key');
    }
  }
}

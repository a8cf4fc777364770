const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes padded standard base64, or returns undefined. Buffer.from(…, 'base64') alone silently
 * skips invalid characters, which would turn a typo or tampering into different bytes.
 */
export function decodeStrictBase64(value: string): Buffer | undefined {
  return STRICT_BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

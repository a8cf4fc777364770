import { SecretBox } from './secret-box.class';
import { SecretBoxError } from './secret-box.error';

const KEY = 'k8Vq1m1Zr0b2p9Yw3sXnT5uH7cJ4eL6a';

describe('SecretBox', () => {
  const box = new SecretBox(KEY);

  it.each([['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], [''], ['ünïcødé 🔐 secret'], ['x'.repeat(10_000)]])(
    'round-trips %p',
    (plaintext) => {
      expect(box.open(box.seal(plaintext))).toBe(plaintext);
    },
  );

  it('opens with a fresh instance built from the same key material', () => {
    expect(new SecretBox(KEY).open(box.seal('secret'))).toBe('secret');
  });

  it('emits v1:<iv>:<tag>:<ciphertext> with a 12-byte IV and 16-byte tag', () => {
    const [version, iv, tag, ciphertext, ...rest] = box.seal('secret').split(':');
    expect(version).toBe('v1');
    expect(Buffer.from(iv!, 'base64')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64')).toHaveLength(16);
    expect(Buffer.from(ciphertext!, 'base64')).toHaveLength('secret'.length);
    expect(rest).toEqual([]);
  });

  it('does not leak the plaintext and uses a random IV per seal', () => {
    const first = box.seal('secret');
    const second = box.seal('secret');
    expect(first).not.toBe(second);
    expect(first.split(':')[1]).not.toBe(second.split(':')[1]);
    expect(first).not.toContain(Buffer.from('secret').toString('base64'));
  });

  it('refuses to open with the wrong key', () => {
    const sealed = box.seal('secret');
    expect(() => new SecretBox(`${KEY}x`).open(sealed)).toThrow(SecretBoxError);
    expect(() => new SecretBox(`${KEY}x`).open(sealed)).toThrow(/tampered with or sealed with a different key/);
  });

  describe('tamper detection', () => {
    const flipBit = (sealed: string, index: 1 | 2 | 3) => {
      const parts = sealed.split(':');
      const bytes = Buffer.from(parts[index]!, 'base64');
      bytes[0] = bytes[0]! ^ 0x01;
      parts[index] = bytes.toString('base64');
      return parts.join(':');
    };

    it.each([
      [1, 'IV'],
      [2, 'tag'],
      [3, 'ciphertext'],
    ] as const)('detects a flipped bit in part %s (%s)', (index, _label) => {
      const tampered = flipBit(box.seal('secret'), index);
      expect(() => box.open(tampered)).toThrow(/tampered with or sealed with a different key/);
    });

    it('detects a swapped ciphertext from another seal', () => {
      const [v, iv, tag] = box.seal('secret-a').split(':');
      const otherCiphertext = box.seal('secret-b').split(':')[3];
      expect(() => box.open([v, iv, tag, otherCiphertext].join(':'))).toThrow(SecretBoxError);
    });

    it('detects truncated ciphertext', () => {
      const parts = box.seal('secret').split(':');
      parts[3] = Buffer.from(parts[3]!, 'base64').subarray(1).toString('base64');
      expect(() => box.open(parts.join(':'))).toThrow(SecretBoxError);
    });
  });

  it.each([
    ['empty string', ''],
    ['garbage', 'not-sealed'],
    ['wrong version', () => box.seal('secret').replace(/^v1:/, 'v2:')],
    ['missing part', () => box.seal('secret').split(':').slice(0, 3).join(':')],
    ['extra part', () => `${box.seal('secret')}:AAAA`],
    ['invalid base64 IV', () => box.seal('secret').replace(/^v1:[^:]+:/, 'v1:!!!!:')],
    ['short IV', () => box.seal('secret').replace(/^v1:[^:]+:/, `v1:${Buffer.alloc(8).toString('base64')}:`)],
    ['short tag', () => box.seal('secret').replace(/^(v1:[^:]+:)[^:]+:/, `$1${Buffer.alloc(8).toString('base64')}:`)],
  ])('refuses a malformed sealed value (%s)', (_label, input) => {
    const sealed = typeof input === 'function' ? input() : input;
    expect(() => box.open(sealed)).toThrow(SecretBoxError);
    expect(() => box.open(sealed)).toThrow(/^Cannot open sealed secret: expected the format v1:<iv>:<tag>:<ciphertext>$/);
  });

  it.each([[undefined], [null], [42]])('refuses a non-string sealed value %p', (input) => {
    expect(() => box.open(input as unknown as string)).toThrow(SecretBoxError);
  });

  it.each([[''], [undefined], [null]])('refuses empty or missing key material %p', (keyMaterial) => {
    expect(() => new SecretBox(keyMaterial as unknown as string)).toThrow(SecretBoxError);
  });

  it('refuses to seal a non-string', () => {
    expect(() => box.seal(42 as unknown as string)).toThrow(SecretBoxError);
  });
});

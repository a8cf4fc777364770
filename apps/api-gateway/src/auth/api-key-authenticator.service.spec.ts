import { createHash } from 'node:crypto';
import { ApiError } from '../http/api-error';
import { ApiKeyAuthenticator, extractApiKey } from './api-key-authenticator.service';
import { generateApiKey } from './api-key.util';
import { ApiKeyOwner, ApiKeysRepository } from './api-keys.repository';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('extractApiKey', () => {
  const key = 'mnt_live_' + 'a'.repeat(32);

  it.each<[string, Record<string, string | string[] | undefined>, string | undefined]>([
    ['x-api-key', { 'x-api-key': key }, key],
    ['x-api-key with surrounding whitespace', { 'x-api-key': `  ${key}\t` }, key],
    ['Authorization: Bearer', { authorization: `Bearer ${key}` }, key],
    ['lowercase bearer', { authorization: `bearer ${key}` }, key],
    ['uppercase BEARER', { authorization: `BEARER ${key}` }, key],
    ['several spaces and a trailing space', { authorization: `Bearer   ${key} ` }, key],
    ['a tab after Bearer', { authorization: `Bearer\t${key}` }, key],
    ['a blank x-api-key falling back to Authorization', { 'x-api-key': '   ', authorization: `Bearer ${key}` }, key],
    ['no headers', {}, undefined],
    ['an empty x-api-key', { 'x-api-key': '' }, undefined],
    ['Bearer without a token', { authorization: 'Bearer' }, undefined],
    ['Bearer followed only by spaces', { authorization: 'Bearer    ' }, undefined],
    ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }, undefined],
    ['a bare token without a scheme', { authorization: key }, undefined],
    ['two tokens', { authorization: `Bearer ${key} extra` }, undefined],
    ['a scheme that only starts with Bearer', { authorization: `Bearerish ${key}` }, undefined],
  ])('handles %s', (_label, headers, expected) => {
    expect(extractApiKey(headers)).toBe(expected);
  });

  it('prefers x-api-key over Authorization', () => {
    expect(extractApiKey({ 'x-api-key': 'from-header', authorization: 'Bearer from-auth' })).toBe('from-header');
  });
});

describe('ApiKeyAuthenticator', () => {
  const owner: ApiKeyOwner = { keyId: 'key_1', tenantId: 'ten_1', mode: 'live' };
  let findActiveByHash: jest.Mock<Promise<ApiKeyOwner | undefined>, [string]>;
  let authenticator: ApiKeyAuthenticator;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-15T10:15:00Z') });
    findActiveByHash = jest.fn();
    authenticator = new ApiKeyAuthenticator({ findActiveByHash } as unknown as ApiKeysRepository);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  async function rejectionOf(key: string | undefined): Promise<ApiError> {
    const error = await authenticator.authenticate(key).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }

  it.each([[undefined], ['']])('answers 401 MISSING_API_KEY for %p', async (key) => {
    const error = await rejectionOf(key);
    expect(error).toMatchObject({ status: 401, code: 'MISSING_API_KEY' });
    expect(error.message).toMatch(/x-api-key/);
    expect(findActiveByHash).not.toHaveBeenCalled();
  });

  it.each([
    ['not-a-key'],
    ['mnt_prod_' + 'a'.repeat(32)],
    ['mnt_live_' + 'a'.repeat(23)],
    ['mnt_live_' + 'a'.repeat(65)],
    ['mnt_live_' + 'a'.repeat(31) + '-'],
    ['mnt_live_' + 'a'.repeat(32) + '\n'],
    [' mnt_live_' + 'a'.repeat(32)],
    ["mnt_live_' OR 1=1 --" + 'a'.repeat(20)],
  ])('answers 401 INVALID_API_KEY for the malformed %p without asking the repository', async (key) => {
    expect(await rejectionOf(key)).toMatchObject({ status: 401, code: 'INVALID_API_KEY' });
    expect(findActiveByHash).not.toHaveBeenCalled();
  });

  it('answers 401 INVALID_API_KEY for a well-formed key the repository does not know', async () => {
    findActiveByHash.mockResolvedValue(undefined);
    expect(await rejectionOf(generateApiKey('live'))).toMatchObject({ status: 401, code: 'INVALID_API_KEY' });
    expect(findActiveByHash).toHaveBeenCalledTimes(1);
  });

  it('looks keys up only by their SHA-256 hash, never the plain key', async () => {
    const key = generateApiKey('test');
    findActiveByHash.mockResolvedValue(owner);
    await authenticator.authenticate(key);
    expect(findActiveByHash).toHaveBeenCalledWith(sha256(key));
    for (const [argument] of findActiveByHash.mock.calls) expect(argument).not.toContain(key.slice(9));
  });

  it('returns the owner and caches it: a second call does not hit the repository', async () => {
    const key = generateApiKey('live');
    findActiveByHash.mockResolvedValue(owner);
    await expect(authenticator.authenticate(key)).resolves.toEqual(owner);
    await expect(authenticator.authenticate(key)).resolves.toEqual(owner);
    expect(findActiveByHash).toHaveBeenCalledTimes(1);
  });

  it('caches each key separately', async () => {
    const [a, b] = [generateApiKey('live'), generateApiKey('test')];
    const ownerB: ApiKeyOwner = { keyId: 'key_2', tenantId: 'ten_2', mode: 'test' };
    findActiveByHash.mockImplementation(async (hash) => (hash === sha256(a) ? owner : hash === sha256(b) ? ownerB : undefined));
    await expect(authenticator.authenticate(a)).resolves.toEqual(owner);
    await expect(authenticator.authenticate(b)).resolves.toEqual(ownerB);
    await expect(authenticator.authenticate(a)).resolves.toEqual(owner);
    await expect(authenticator.authenticate(b)).resolves.toEqual(ownerB);
    expect(findActiveByHash).toHaveBeenCalledTimes(2);
  });

  it('stops trusting the cache after 5 s, so a revoked key stops working', async () => {
    const key = generateApiKey('live');
    findActiveByHash.mockResolvedValue(owner);
    await authenticator.authenticate(key);

    jest.advanceTimersByTime(4_999);
    await authenticator.authenticate(key);
    expect(findActiveByHash).toHaveBeenCalledTimes(1);

    findActiveByHash.mockResolvedValue(undefined); // revoked meanwhile
    jest.advanceTimersByTime(1);
    expect(await rejectionOf(key)).toMatchObject({ status: 401, code: 'INVALID_API_KEY' });
    expect(findActiveByHash).toHaveBeenCalledTimes(2);

    // The revoked key stays rejected rather than falling back to a stale cache entry.
    expect(await rejectionOf(key)).toMatchObject({ status: 401, code: 'INVALID_API_KEY' });
    expect(findActiveByHash).toHaveBeenCalledTimes(3);
  });

  it('re-caches a still-valid key for another 5 s after expiry', async () => {
    const key = generateApiKey('live');
    findActiveByHash.mockResolvedValue(owner);
    await authenticator.authenticate(key);
    jest.advanceTimersByTime(5_000);
    await authenticator.authenticate(key);
    jest.advanceTimersByTime(4_999);
    await authenticator.authenticate(key);
    expect(findActiveByHash).toHaveBeenCalledTimes(2);
  });

  it('does not cache a rejection: a key created a moment later works at once', async () => {
    const key = generateApiKey('live');
    findActiveByHash.mockResolvedValueOnce(undefined).mockResolvedValueOnce(owner);
    await rejectionOf(key);
    await expect(authenticator.authenticate(key)).resolves.toEqual(owner);
  });

  it('lets a repository failure surface instead of authenticating', async () => {
    findActiveByHash.mockRejectedValue(new Error('connection refused'));
    await expect(authenticator.authenticate(generateApiKey('live'))).rejects.toThrow('connection refused');
  });
});

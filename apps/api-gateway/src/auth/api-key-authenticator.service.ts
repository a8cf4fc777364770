import { Injectable } from '@nestjs/common';
import { API_KEY_PATTERN } from '../config/gateway.config';
import { ApiError } from '../http/api-error';
import { hashApiKey } from './api-key.util';
import { ApiKeyOwner, ApiKeysRepository } from './api-keys.repository';

/** A revoked key stops working within this long on every gateway replica. */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;

export function extractApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const direct = headers['x-api-key'];
  if (typeof direct === 'string' && direct.trim()) return direct.trim();
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  return undefined;
}

@Injectable()
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { owner: ApiKeyOwner; until: number }>();

  constructor(private readonly keys: ApiKeysRepository) {}

  async authenticate(key: string | undefined): Promise<ApiKeyOwner> {
    if (!key) throw new ApiError(401, 'MISSING_API_KEY', 'Send your API key in the x-api-key header (or Authorization: Bearer).');
    if (!API_KEY_PATTERN.test(key)) throw new ApiError(401, 'INVALID_API_KEY', 'The API key is not valid.');
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.owner;
    const owner = await this.keys.findActiveByHash(hash);
    if (!owner) {
      this.cache.delete(hash);
      throw new ApiError(401, 'INVALID_API_KEY', 'The API key is not valid or has been revoked.');
    }
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(hash, { owner, until: Date.now() + CACHE_TTL_MS });
    return owner;
  }
}

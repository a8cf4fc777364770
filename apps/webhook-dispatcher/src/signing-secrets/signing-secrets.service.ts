import { Inject, Injectable } from '@nestjs/common';
import { SigningSecretView } from '@minoots/contracts';
import { generateSecret, SecretBox } from '@minoots/signing';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { SigningSecretRow, SigningSecretsRepository } from './signing-secrets.repository';

export interface TenantSigningKeys {
  current: string;
  /** The current secret first, then the rotated-out one while its grace period lasts. */
  all: string[];
}

/** A rotation on another replica is seen within this long. */
const CACHE_TTL_MS = 2_000;

/** Each tenant's webhook signing secret: created on first use, rotatable with a grace period. */
@Injectable()
export class SigningSecretsService {
  /** Promises, not values: attempts in flight when an entry expires share one lookup. */
  private readonly cache = new Map<string, { keys: Promise<TenantSigningKeys>; until: number }>();

  constructor(
    private readonly repository: SigningSecretsRepository,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    private readonly box: SecretBox,
  ) {}

  async view(tenantId: string): Promise<SigningSecretView> {
    return this.toView(await this.repository.getOrCreate(tenantId, () => this.box.seal(generateSecret())));
  }

  async rotate(tenantId: string, graceSeconds = this.config.SIGNING_SECRET_GRACE_SECONDS): Promise<SigningSecretView> {
    await this.repository.getOrCreate(tenantId, () => this.box.seal(generateSecret()));
    const row = await this.repository.rotate(tenantId, this.box.seal(generateSecret()), new Date(Date.now() + graceSeconds * 1000));
    this.cache.delete(tenantId);
    return this.toView(row);
  }

  keysFor(tenantId: string): Promise<TenantSigningKeys> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.keys;
    const keys = this.loadKeys(tenantId);
    this.cache.set(tenantId, { keys, until: Date.now() + CACHE_TTL_MS });
    keys.catch(() => this.cache.delete(tenantId));
    return keys;
  }

  private async loadKeys(tenantId: string): Promise<TenantSigningKeys> {
    const row = await this.repository.getOrCreate(tenantId, () => this.box.seal(generateSecret()));
    const current = this.box.open(row.secret_sealed);
    const previousValid = row.previous_sealed && row.previous_expires_at && new Date(row.previous_expires_at).getTime() > Date.now();
    return { current, all: previousValid ? [current, this.box.open(row.previous_sealed!)] : [current] };
  }

  private toView(row: SigningSecretRow): SigningSecretView {
    const previousExpires = row.previous_expires_at ? new Date(row.previous_expires_at) : null;
    return {
      secret: this.box.open(row.secret_sealed),
      createdAt: new Date(row.created_at).toISOString(),
      previousSecretExpiresAt: previousExpires && previousExpires.getTime() > Date.now() ? previousExpires.toISOString() : null,
    };
  }
}

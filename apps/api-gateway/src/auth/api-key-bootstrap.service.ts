import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { ApiKeyMode, generateApiKey } from './api-key.util';
import { ApiKeysRepository } from './api-keys.repository';

export const DEVELOPMENT_TENANT = 'development';

export type BootstrapOutcome =
  | { kind: 'configured'; created: boolean }
  | { kind: 'generated'; key: string }
  | { kind: 'existing' };

@Injectable()
export class ApiKeyBootstrap {
  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * First start: makes sure someone can call the API. `MINOOTS_BOOTSTRAP_API_KEY` is registered
   * for the development tenant; with no key at all, one is generated (and shown once).
   */
  async ensureKey(): Promise<BootstrapOutcome> {
    const configured = this.config.MINOOTS_BOOTSTRAP_API_KEY;
    if (configured) {
      const tenantId = await this.keys.ensureTenant(DEVELOPMENT_TENANT);
      const { created } = await this.keys.insertKey(tenantId, configured, 'bootstrap (MINOOTS_BOOTSTRAP_API_KEY)');
      return { kind: 'configured', created };
    }
    if ((await this.keys.countActive()) > 0) return { kind: 'existing' };
    return { kind: 'generated', key: await this.createKey(DEVELOPMENT_TENANT, 'test', 'development key') };
  }

  async createKey(tenantName: string, mode: ApiKeyMode, name: string): Promise<string> {
    const tenantId = await this.keys.ensureTenant(tenantName);
    const key = generateApiKey(mode);
    await this.keys.insertKey(tenantId, key, name);
    return key;
  }
}

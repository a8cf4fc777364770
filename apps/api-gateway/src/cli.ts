import { parseArgs } from 'node:util';
import { createDatabase, migrateServiceSchema } from '@minoots/database';
import { loadGatewayConfig } from './config/gateway.config';
import { GATEWAY_SCHEMA, GatewayDB } from './database/gateway-database.type';
import { gatewayMigrations } from './database/migrations';
import { ApiKeysRepository } from './auth/api-keys.repository';
import { generateApiKey } from './auth/api-key.util';

const USAGE = `Manage MINOOTS API keys.

  npm run keys -- create --tenant <name> [--mode live|test] [--name <label>]
  npm run keys -- list [--tenant <name>]
  npm run keys -- revoke <key id>

A new key is printed once; only its SHA-256 hash is stored.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, mode: { type: 'string', default: 'live' }, name: { type: 'string' }, help: { type: 'boolean' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    // Asked for, it is an answer; printed because no command was given, a usage error.
    return values.help ? 0 : 2;
  }
  const config = loadGatewayConfig();
  await migrateServiceSchema(config.DATABASE_URL, GATEWAY_SCHEMA, gatewayMigrations);
  const db = createDatabase<GatewayDB>({ url: config.DATABASE_URL, max: 1 });
  const keys = new ApiKeysRepository(db);
  try {
    switch (command) {
      case 'create': {
        if (!values.tenant) throw new Error('create needs --tenant <name>');
        if (values.mode !== 'live' && values.mode !== 'test') throw new Error('--mode must be live or test');
        const tenantId = await keys.ensureTenant(values.tenant);
        const key = generateApiKey(values.mode);
        const { id } = await keys.insertKey(tenantId, key, values.name ?? `created ${new Date().toISOString()}`);
        console.log(`Created ${values.mode} key ${id} for tenant "${values.tenant}" (${tenantId}):\n\n  ${key}\n\nStore it now: it cannot be shown again.`);
        return 0;
      }
      case 'list': {
        const rows = await keys.list(values.tenant);
        if (rows.length === 0) console.log('No API keys.');
        for (const k of rows) {
          console.log(`${k.id}  ${k.prefix}…  ${k.mode.padEnd(4)}  tenant=${k.tenantName}  ${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}  ${k.name}`);
        }
        return 0;
      }
      case 'revoke': {
        const [keyId] = rest;
        if (!keyId) throw new Error('revoke needs a key id (see: list)');
        const revoked = await keys.revoke(keyId);
        console.log(revoked ? `Revoked ${keyId}; gateways stop accepting it within 5 seconds.` : `No active key ${keyId}.`);
        return revoked ? 0 : 1;
      }
      default:
        throw new Error(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);

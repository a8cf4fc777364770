import { MigrationSet } from '@minoots/database';
import * as createTenantsAndKeys from './1763850200000-CreateTenantsAndKeys';

export const gatewayMigrations: MigrationSet = {
  '1763850200000-CreateTenantsAndKeys': createTenantsAndKeys,
};

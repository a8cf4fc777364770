import { MigrationSet } from '@minoots/database';
import * as createDeliveryTables from './1763850100000-CreateDeliveryTables';

export const dispatcherMigrations: MigrationSet = {
  '1763850100000-CreateDeliveryTables': createDeliveryTables,
};

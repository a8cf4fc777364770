import { MigrationSet } from '@minoots/database';
import * as createDeliveryTables from './1763850100000-CreateDeliveryTables';
import * as createEndpoints from './1763853000000-CreateEndpoints';
import * as timerTerminals from './1763860000000-TimerTerminals';

export const dispatcherMigrations: MigrationSet = {
  '1763850100000-CreateDeliveryTables': createDeliveryTables,
  '1763853000000-CreateEndpoints': createEndpoints,
  '1763860000000-TimerTerminals': timerTerminals,
};

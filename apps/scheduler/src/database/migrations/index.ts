import { MigrationSet } from '@minoots/database';
import * as createTimersAndTriggers from './1763850000000-CreateTimersAndTriggers';

export const schedulerMigrations: MigrationSet = {
  '1763850000000-CreateTimersAndTriggers': createTimersAndTriggers,
};

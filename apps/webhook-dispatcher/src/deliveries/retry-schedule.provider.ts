import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { parseRetrySchedule } from './retry-schedule.util';

export const RETRY_SCHEDULE = Symbol('RETRY_SCHEDULE');

export const retryScheduleProvider = {
  provide: RETRY_SCHEDULE,
  inject: [DISPATCHER_CONFIG],
  useFactory: (config: DispatcherConfig) => parseRetrySchedule(config.DELIVERY_RETRY_SCHEDULE),
};

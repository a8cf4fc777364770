export * from './create-database.util';
export * from './migrate.util';
export * from './postgres-errors.util';
export * from './advisory-leadership.service';

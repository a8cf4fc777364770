export * from './create-database.util';
export * from './migrate.util';
export * from './postgres-errors.util';
export * from './advisory-leadership.service';
export * from './database.provider';
export * from './migrate-service.util';
export * from './group-commit.util';

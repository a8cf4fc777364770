import { Client } from 'pg';
import { isStalePlanError } from './postgres-errors.util';

/** Distinct statement texts this process prepares; beyond it, new texts run unnamed as before. */
const MAX_PREPARED_TEXTS = 200;
const names = new Map<string, string>();
let generation = 0;

function nameFor(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_PREPARED_TEXTS) {
    name = `minoots_${++generation}`;
    names.set(text, name);
  }
  return name;
}

type Query = (...args: unknown[]) => Promise<unknown>;

/**
 * A pg client that runs each parameterised statement as a named prepared statement, so Postgres
 * parses and analyses a statement once per connection instead of on every call (and may keep a
 * generic plan: `plan_cache_mode` auto compares it with custom plans and keeps the cheaper). The
 * repositories' hot statements (group commits of a few rows, many times a second) spent as long in
 * Postgres's parser and planner as in executing. Kysely passes every statement as (text, values);
 * the same text always gets the same name. Texts with no parameters (DDL, BEGIN/COMMIT, a
 * migration's several statements) and callback-style calls run as before. A statement whose plan
 * a migration made stale is run again unnamed, and its text prepared afresh under a new name.
 * Behind PgBouncer in transaction mode this needs its `max_prepared_statements` (1.21+).
 */
export class PreparingClient extends Client {
  // pg's overloads of query() (callbacks, Submittables, config objects) pass through untouched.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const query = super.query.bind(this) as Query;
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = nameFor(text);
      if (name) {
        return query({ name, text, values }).catch((error: unknown) => {
          if (!isStalePlanError(error)) throw error;
          if (names.get(text) === name) names.delete(text);
          return query(text, values);
        }) as never;
      }
    }
    return query(...args) as never;
  }
}

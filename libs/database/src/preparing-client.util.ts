import { Client } from 'pg';

/** Distinct statement texts this process prepares; beyond it, new texts run unnamed as before. */
const MAX_PREPARED_TEXTS = 200;
const names = new Map<string, string>();

function nameFor(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_PREPARED_TEXTS) {
    name = `minoots_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

/**
 * A pg client that runs each parameterised statement as a named prepared statement, so Postgres
 * parses and analyses a statement once per connection instead of on every call (and may keep a
 * generic plan: `plan_cache_mode` auto compares it with custom plans and keeps the cheaper). The
 * repositories' hot statements (group commits of a few rows, many times a second) spent as long in
 * Postgres's parser and planner as in executing. Kysely passes every statement as (text, values);
 * the same text always gets the same name, and texts with no parameters (DDL, BEGIN/COMMIT, a
 * migration's several statements) run as before.
 */
export class PreparingClient extends Client {
  // pg's overloads of query() (callbacks, Submittables, config objects) pass through untouched.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = nameFor(text);
      if (name) return (super.query as (...a: unknown[]) => never)({ name, text, values }, callback);
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import { Client, Pool } from 'pg';
import { createTestDatabase, TestDatabase } from './test-database.util';

/**
 * The plan Postgres runs `query` with once its prepared statement has switched to the generic
 * plan (planned without the parameters' values), as a long-running service's hot statements do
 * after a few executions. A condition on a parameter cannot match a partial index's predicate
 * there, which a plan of the same statement with the values written in hides.
 */
export async function genericPlanOf(url: string, query: { sql: string; parameters: readonly unknown[] }): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('set plan_cache_mode = force_generic_plan');
    await client.query(`prepare generic_plan_probe as ${query.sql}`);
    // The generic plan does not depend on the values: nulls stand in for any type, arrays included.
    const args = query.parameters.map(() => 'null').join(', ');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain execute generic_plan_probe${args ? `(${args})` : ''}`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

/** A test database whose Kysely records the statements it sends, to explain them as they are. */
export class PlanProbe<DB> {
  private readonly executed: CompiledQuery[] = [];
  readonly db: Kysely<DB>;

  private constructor(readonly database: TestDatabase) {
    this.db = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: new Pool({ connectionString: database.url, max: 1 }) }),
      log: (event) => {
        if (event.level === 'query') this.executed.push(event.query);
      },
    });
  }

  static async create<DB>(label: string): Promise<PlanProbe<DB>> {
    return new PlanProbe<DB>(await createTestDatabase(label));
  }

  /** Runs `work`, which must send exactly one statement, and returns that statement's generic plan. */
  async genericPlanOf(work: (db: Kysely<DB>) => Promise<unknown>): Promise<string> {
    this.executed.length = 0;
    await work(this.db);
    if (this.executed.length !== 1) throw new Error(`expected one statement, saw ${this.executed.length}`);
    return genericPlanOf(this.database.url, this.executed[0]);
  }

  async drop(): Promise<void> {
    await this.db.destroy();
    await this.database.drop();
  }
}

import { Client } from 'pg';

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

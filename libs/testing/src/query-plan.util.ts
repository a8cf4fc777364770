import { Client, escapeLiteral } from 'pg';

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return escapeLiteral(value);
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  throw new Error(`genericPlanOf: no literal for a parameter of type ${typeof value}`);
}

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
    const args = query.parameters.map(literal).join(', ');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain execute generic_plan_probe${args ? `(${args})` : ''}`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

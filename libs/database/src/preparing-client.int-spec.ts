import { sql } from 'kysely';
import { createTestDatabase, TestDatabase } from '@minoots/testing';
import { createDatabase } from './create-database.util';

describe('PreparingClient (real Postgres)', () => {
  let database: TestDatabase;
  let db: ReturnType<typeof createDatabase<unknown>>;

  beforeAll(async () => {
    database = await createTestDatabase('preparing');
    // One connection, so every statement below runs in the session whose prepared statements we read.
    db = createDatabase<unknown>({ url: database.url, max: 1 });
  });

  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('prepares a parameterised statement once and reuses it, and runs text without parameters as it is', async () => {
    // Several statements in one text: only the simple protocol accepts that, so it must stay unnamed.
    await sql`create table t (id int primary key, v text); create index t_v on t (v)`.execute(db);
    for (let i = 1; i <= 3; i++) await sql`insert into t (id, v) values (${i}, ${`v${i}`})`.execute(db);
    const rows = await sql<{ id: number; v: string }>`select id, v from t where id >= ${2} order by id`.execute(db);
    expect(rows.rows).toEqual([
      { id: 2, v: 'v2' },
      { id: 3, v: 'v3' },
    ]);
    const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like ${'%from t%'} or statement like ${'insert into t%'}`.execute(db);
    expect(prepared.rows.map((r) => r.statement).sort()).toEqual(['insert into t (id, v) values ($1, $2)', 'select id, v from t where id >= $1 order by id']);
  });

  it('runs a statement whose table a migration changed meanwhile, and prepares it afresh', async () => {
    await sql`create table m (id int primary key)`.execute(db);
    await sql`insert into m values (${1})`.execute(db);
    const read = () => sql<Record<string, unknown>>`select * from m where id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1 }]);
    // As a newer replica's migration would, on the connection this statement is prepared on.
    await sql`alter table m add column note text`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, note: null }]);
    expect((await read()).rows).toEqual([{ id: 1, note: null }]);
  });

  it("rejects with Postgres's own error, for prepared and unnamed statements alike", async () => {
    await sql`create table e (id int primary key)`.execute(db);
    await sql`insert into e values (${1})`.execute(db);
    await expect(sql`insert into e values (${1})`.execute(db)).rejects.toMatchObject({ code: '23505' });
    await expect(sql`select * from no_such_table`.execute(db)).rejects.toMatchObject({ code: '42P01' });
    // The connection is still usable afterwards.
    expect((await sql<{ n: number }>`select count(*)::int as n from e where id = ${1}`.execute(db)).rows).toEqual([{ n: 1 }]);
  });
});

import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { ReadModelTables } from './read-model-tables';
import { TableNamesPlugin } from './table-names-plugin';

/** Compiles queries only: nothing is sent anywhere. */
const db = new Kysely<ReadModelTables>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
}).withPlugin(new TableNamesPlugin(new Map([['case_view', 'case_view__rebuild']])));

describe('TableNamesPlugin', () => {
  it('sends a query written against a live table to the table it names instead, qualified references included', () => {
    const query = db.selectFrom('case_view').select(['case_view.state', 'revision']).where('case_id', '=', 'c-1').compile();

    expect(query.sql).toBe('select "case_view__rebuild"."state", "revision" from "case_view__rebuild" where "case_id" = $1');
  });

  it('leaves aliases, excluded and the tables it was not given alone', () => {
    const upsert = db
      .insertInto('case_view')
      .values({ case_key: 1n, case_id: 'c-1', org_id: 'o', revision: 0n, position: 1n, state: '{}', facts: '{}' })
      .onConflict((conflict) => conflict.column('case_key').doUpdateSet((eb) => ({ state: eb.ref('excluded.state') })))
      .compile();
    const joined = db
      .selectFrom('case_history_cases as c')
      .innerJoin('case_view as v', 'v.case_key', 'c.case_key')
      .select('c.case_id')
      .compile();

    expect(upsert.sql).toMatch(
      /^insert into "case_view__rebuild" .* on conflict \("case_key"\) do update set "state" = "excluded"\."state"$/,
    );
    expect(joined.sql).toBe(
      'select "c"."case_id" from "case_history_cases" as "c" inner join "case_view__rebuild" as "v" on "v"."case_key" = "c"."case_key"',
    );
  });
});

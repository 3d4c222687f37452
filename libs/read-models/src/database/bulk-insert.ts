import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import { chunked } from './columns';
import type { ReadModelTables } from './read-model-tables';

type Db = Kysely<ReadModelTables>;

/**
 * A multi-row insert written once with the query builder, sent in chunks of `rowsPerInsert` rows.
 * Building a statement node by node for every chunk would cost more than running it (a rebuild
 * sends thousands of them), so the statement for each chunk size is compiled once per table name
 * and target (what `build` gives for one row tells them apart) and then run with each chunk's
 * values bound in its place, row after row in `values`' column order.
 */
export class BulkInsert<Row> {
  private readonly compiled = new Map<string, Map<number, CompiledQuery>>();

  constructor(
    private readonly build: (db: Db, rows: readonly Row[]) => Compilable,
    /** A row's values, in the order `build` lists its columns. */
    private readonly values: (row: Row) => readonly unknown[],
    private readonly rowsPerInsert: number,
  ) {}

  async run(db: Db, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const single = this.build(db, rows.slice(0, 1)).compile();
    const sample = this.values(rows[0]);
    // The compiled parameters must be exactly the row's values, in order, or binding by position would be wrong.
    if (single.parameters.length !== sample.length || single.parameters.some((value, index) => value !== sample[index])) {
      throw new Error(`BulkInsert: the values of a row do not match the statement's parameters (${single.sql})`);
    }
    let bySize = this.compiled.get(single.sql);
    if (bySize === undefined) {
      bySize = new Map();
      this.compiled.set(single.sql, bySize);
    }
    for (const chunk of chunked(rows, this.rowsPerInsert)) {
      let statement = bySize.get(chunk.length);
      if (statement === undefined) {
        statement = this.build(db, chunk).compile();
        bySize.set(chunk.length, statement);
      }
      await db.executeQuery({ ...statement, parameters: chunk.flatMap((row) => this.values(row)) });
    }
  }
}

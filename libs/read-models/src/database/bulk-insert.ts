import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { ReadModelTables } from './read-model-tables';

type Db = Kysely<ReadModelTables>;

/**
 * A multi-row insert written once with the query builder, sent in chunks of `rowsPerInsert` rows.
 * Building a statement node by node for every chunk would cost more than running it (a rebuild
 * sends thousands of them), so the statement for each chunk size is compiled once per table name
 * and target (what `build` gives for one row tells them apart) and then run with each chunk's
 * values bound in its place, row after row in `values`' column order. The SQL text goes through
 * Kysely's executor like any query, with its parameters bound, never spliced in.
 */
export class BulkInsert<Row> {
  /** Per statement for one row (the table and target), the SQL for each chunk size. Only the text is kept, not the rows it was built from. */
  private readonly statements = new Map<string, Map<number, string>>();

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
    let bySize = this.statements.get(single.sql);
    if (bySize === undefined) {
      bySize = new Map();
      this.statements.set(single.sql, bySize);
    }
    let start = 0;
    for (const size of chunkSizes(rows.length, this.rowsPerInsert)) {
      const chunk = rows.slice(start, start + size);
      start += size;
      let text = bySize.get(size);
      if (text === undefined) {
        text = this.build(db, chunk).compile().sql;
        bySize.set(size, text);
      }
      const parameters: unknown[] = [];
      for (const row of chunk) for (const value of this.values(row)) parameters.push(value);
      await db.executeQuery(CompiledQuery.raw(text, parameters));
    }
  }
}

const SMALL = 16;

/**
 * How `count` rows are cut into inserts: full ones of `max` rows, then what is left as a multiple
 * of 16 and the last few. Few distinct sizes means few distinct statements to compile and keep
 * prepared, for at most two inserts more than the fewest possible.
 */
export function chunkSizes(count: number, max: number): number[] {
  const sizes: number[] = [];
  let left = count;
  for (; left >= max; left -= max) sizes.push(max);
  const rounded = left > SMALL ? left - (left % SMALL) : 0;
  if (rounded > 0) sizes.push(rounded);
  if (left - rounded > 0) sizes.push(left - rounded);
  return sizes;
}

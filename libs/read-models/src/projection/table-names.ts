import type { Kysely } from 'kysely';
import type { ReadModelTables } from '../database/read-model-tables';
import { TableNamesPlugin } from '../database/table-names-plugin';

/**
 * The names a projection's tables and indexes take in one generation of its read model.
 *
 * Live tables keep their base names, which is all queries ever read. A rebuild creates the next
 * generation beside them as `<base>__rebuild` and, once it has caught up, renames it over the live
 * tables in one transaction. SQLite keeps an index's name through a table rename, and PostgreSQL
 * an index's and a constraint's, so those names carry their generation: the rebuilt tables'
 * never collide with the live ones.
 */
export interface TableNames {
  readonly generation: number;
  readonly live: boolean;
  table(base: string): string;
  index(base: string): string;
}

const REBUILD_SUFFIX = '__rebuild';

export function liveTableNames(generation: number): TableNames {
  return { generation, live: true, table: (base) => base, index: (base) => `${base}_g${generation}` };
}

export function rebuildTableNames(generation: number): TableNames {
  return { generation, live: false, table: (base) => `${base}${REBUILD_SUFFIX}`, index: (base) => `${base}_g${generation}` };
}

/**
 * `db` (or a transaction) whose queries, written against the live names, reach the tables of
 * `names` instead.
 */
export function onTables<D extends Kysely<ReadModelTables>>(db: D, bases: readonly string[], names: TableNames): D {
  if (names.live) return db;
  return db.withPlugin(new TableNamesPlugin(new Map(bases.map((base) => [base, names.table(base)])))) as D;
}

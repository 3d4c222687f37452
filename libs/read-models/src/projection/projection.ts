import type { Kysely } from 'kysely';
import type { ReadModelDialect } from '../database/read-model-database';
import type { ReadModelTables } from '../database/read-model-tables';
import type { LogBatch } from '../log/log-batch';
import type { TableNames } from './table-names';

/**
 * Where a projection creates its tables: `db` renames the live table names to those of `names`
 * (a rebuild's), and `dialect` picks the column types that differ between SQLite and PostgreSQL.
 */
export interface SchemaTarget {
  db: Kysely<ReadModelTables>;
  dialect: ReadModelDialect;
  names: TableNames;
}

/**
 * A read model fed from the global log. The runner owns the transaction: a writer's `apply` gets
 * it (a `Kysely` bound to the transaction, written against the live table names and renamed to
 * the tables being written) and the checkpoint is updated in it, so a projection never commits on
 * its own and everything it writes lands with the checkpoint or not at all. A writer must run
 * every query through the executor it is given: on SQLite the transaction holds the one connection.
 */
export interface Projection {
  /** Stable key of the projection's checkpoint. */
  readonly name: string;
  /**
   * Bump when the tables or what they mean change: on start the runner resets a projection whose
   * stored version differs, and the log is replayed into the new tables.
   */
  readonly version: number;
  /** Base names of every table the projection owns: a rebuild builds each one beside the live one. */
  readonly tables: readonly string[];
  /** Creates the projection's tables under `target.names` when they are missing. */
  createTables(target: SchemaTarget): Promise<void>;
  /**
   * Creates the indexes only queries need, when they are missing. A rebuild creates them once its
   * tables are full, which costs far less than keeping them up to date row by row.
   */
  createIndexes(target: SchemaTarget): Promise<void>;
  /**
   * A writer of the projection's tables. Its `apply` takes consecutive batches of the log, in
   * order; events of non-case streams and events already applied (a redelivery at or below a
   * row's stored revision) are ignored.
   */
  writer(): ProjectionWriter;
  /**
   * A writer for a rebuild's long run of the log into empty tables, when the projection has a
   * faster way than applying batch after batch (it may hold rows back until `flush`). The runner
   * discards a failed rebuild whole, so such a writer need not leave its tables consistent with a
   * checkpoint between batches, only after `flush`.
   */
  bulkWriter?(): BulkProjectionWriter;
}

export interface ProjectionWriter {
  apply(db: Kysely<ReadModelTables>, batch: LogBatch): Promise<void>;
}

export interface BulkProjectionWriter extends ProjectionWriter {
  /** Writes whatever `apply` held back; called inside a transaction once the run is over. */
  flush(db: Kysely<ReadModelTables>): Promise<void>;
}

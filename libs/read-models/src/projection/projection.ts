import type { Database } from 'better-sqlite3';
import type { LogBatch } from '../log/log-batch';
import type { TableNames } from './table-names';

/**
 * A read model fed from the global log. The runner owns the transaction: a writer's `apply` runs
 * inside it together with the checkpoint update, so a projection never commits on its own and
 * everything it writes lands with the checkpoint or not at all.
 *
 * Writes are synchronous on purpose: better-sqlite3 transactions cannot span an `await`, and a
 * projection needs nothing but the decoded batch and its own tables.
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
  /** Creates the projection's tables under `names` when they are missing. */
  createTables(db: Database, names: TableNames): void;
  /**
   * Creates the indexes only queries need, when they are missing. A rebuild creates them once its
   * tables are full, which costs far less than keeping them up to date row by row.
   */
  createIndexes(db: Database, names: TableNames): void;
  /**
   * Prepares the projection's writes against the tables `names` gives. Its `apply` takes
   * consecutive batches of the log, in order; events of non-case streams and events already
   * applied (a redelivery at or below a row's stored revision) are ignored.
   */
  writer(db: Database, names: TableNames): ProjectionWriter;
  /**
   * A writer for a rebuild's long run of the log into empty tables, when the projection has a
   * faster way than applying batch after batch (it may hold rows back until `flush`). The runner
   * discards a failed rebuild whole, so such a writer need not leave its tables consistent with a
   * checkpoint between batches, only after `flush`.
   */
  bulkWriter?(db: Database, names: TableNames): BulkProjectionWriter;
}

export interface ProjectionWriter {
  apply(batch: LogBatch): void;
}

export interface BulkProjectionWriter extends ProjectionWriter {
  /** Writes whatever `apply` held back; called inside a transaction once the run is over. */
  flush(): void;
}

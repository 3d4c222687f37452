import type { Database } from 'better-sqlite3';
import type { LogBatch } from '../log/log-batch';
import { checkpointWriter, positionWriter, readCheckpoint, type Checkpoint } from './checkpoints';
import type { Projection, ProjectionWriter } from './projection';
import { liveTableNames, rebuildTableNames, type TableNames } from './table-names';

/** The part of Nest's `Logger` the runner uses, so tests can watch what it reports. */
export interface ProjectionLogger {
  log(message: string): void;
  error(message: string, stack?: string): void;
}

/**
 * One projection's live read model: its tables, its checkpoint and the writer that applies a batch
 * to both in one transaction. `position` mirrors the durable checkpoint and moves only after the
 * transaction committed, never backwards.
 */
export class ProjectedModel {
  private positionNow: bigint;
  private generationNow: number;
  private writer: ProjectionWriter;
  private readonly applyInTransaction: (batch: LogBatch) => void;
  private readonly moveInTransaction: (position: bigint) => void;

  private constructor(
    private readonly db: Database,
    readonly projection: Projection,
    checkpoint: Checkpoint,
  ) {
    this.positionNow = checkpoint.position;
    this.generationNow = checkpoint.generation;
    this.writer = projection.writer(db, liveTableNames(checkpoint.generation));
    const writePosition = positionWriter(db);
    this.applyInTransaction = db.transaction((batch: LogBatch) => {
      this.writer.apply(batch);
      writePosition(projection.name, batch.lastPosition);
    });
    this.moveInTransaction = db.transaction((position: bigint) => writePosition(projection.name, position));
  }

  /**
   * Opens the projection's live tables, creating them when missing. Tables of an unknown or older
   * version are dropped and the projection starts from position 0, as is anything a rebuild left
   * half-built beside them when the process stopped.
   */
  static open(db: Database, projection: Projection, logger: ProjectionLogger): ProjectedModel {
    return db.transaction(() => {
      dropTables(db, projection, rebuildTableNames(0));
      const stored = readCheckpoint(db, projection.name);
      if (stored && stored.version === projection.version) {
        createSchema(db, projection, liveTableNames(stored.generation));
        return new ProjectedModel(db, projection, stored);
      }
      if (stored) {
        logger.log(
          `Projection '${projection.name}' changed from version ${stored.version} to ${projection.version}: ` +
            'replaying the log into new tables',
        );
      }
      // Without a checkpoint of this version, tables of the same names hold nothing this release can trust.
      dropTables(db, projection, liveTableNames(0));
      const checkpoint = { position: 0n, version: projection.version, generation: (stored?.generation ?? 0) + 1 };
      createSchema(db, projection, liveTableNames(checkpoint.generation));
      checkpointWriter(db)(projection.name, checkpoint);
      return new ProjectedModel(db, projection, checkpoint);
    })();
  }

  get name(): string {
    return this.projection.name;
  }

  /** Last global position applied (0n before the first event). */
  get position(): bigint {
    return this.positionNow;
  }

  get generation(): number {
    return this.generationNow;
  }

  /**
   * Applies the part of `batch` past the checkpoint in one transaction with the checkpoint.
   * Returns whether the checkpoint moved.
   */
  apply(batch: LogBatch): boolean {
    const unseen = batch.after(this.positionNow);
    if (unseen.isEmpty) return false;
    this.applyInTransaction(unseen);
    this.positionNow = unseen.lastPosition;
    return true;
  }

  /** Moves the checkpoint over a stretch of the log that holds no event (a store may leave holes). */
  skipTo(position: bigint): boolean {
    if (position <= this.positionNow) return false;
    this.moveInTransaction(position);
    this.positionNow = position;
    return true;
  }

  /**
   * Replaces the live tables by rebuilt ones (`RebuiltTables.swapIn` holds the transaction). From
   * here on the model reads and writes the rebuilt tables, under their live names.
   */
  replaceWith(generation: number, position: bigint): void {
    this.generationNow = generation;
    this.writer = this.projection.writer(this.db, liveTableNames(generation));
    if (position > this.positionNow) this.positionNow = position;
  }
}

export function createSchema(db: Database, projection: Projection, names: TableNames): void {
  projection.createTables(db, names);
  projection.createIndexes(db, names);
}

/** Drops every table of the projection under `names` (their indexes go with them). */
export function dropTables(db: Database, projection: Projection, names: TableNames): void {
  for (const base of projection.tables) db.exec(`DROP TABLE IF EXISTS "${names.table(base)}"`);
}

import type { Database } from 'better-sqlite3';
import type { LogBatch } from '../log/log-batch';
import { checkpointWriter } from './checkpoints';
import { ParkedEvents } from './parked-events';
import { screenForRebuild } from './quarantine';
import { dropTables, type ProjectedModel } from './projected-model';
import type { BulkProjectionWriter, ProjectionWriter } from './projection';
import { liveTableNames, rebuildTableNames, type TableNames } from './table-names';

/**
 * The next generation of a projection's tables, built from position 0 beside the live ones while
 * queries keep reading those; `swapIn` then puts it in their place in one transaction.
 */
export class RebuiltTables {
  private readonly names: TableNames;
  private writer: ProjectionWriter;
  private bulk: BulkProjectionWriter | null;
  private positionNow = 0n;
  private bulkFinished = false;
  private readonly parked: ParkedEvents;

  constructor(
    private readonly db: Database,
    readonly model: ProjectedModel,
  ) {
    const { projection } = model;
    this.names = rebuildTableNames(model.generation + 1);
    dropTables(db, projection, this.names);
    // Indexes come once the tables are full (`finishBulk`).
    projection.createTables(db, this.names);
    this.bulk = projection.bulkWriter?.(db, this.names) ?? null;
    this.writer = this.bulk ?? projection.writer(db, this.names);
    this.parked = new ParkedEvents(db);
  }

  get position(): bigint {
    return this.positionNow;
  }

  /**
   * Applies a batch that starts right after `position`. The caller holds the transaction: a
   * rebuild applies one batch to several projections' tables at once, and commits no checkpoint
   * until the swap (a rebuild that fails is dropped whole).
   */
  apply(batch: LogBatch): void {
    const unseen = batch.after(this.positionNow);
    if (unseen.isEmpty) return;
    // Cases the live projection parked stop short here too (quarantine.ts).
    this.writer.apply(screenForRebuild(unseen, this.model.name, this.parked, new Date().toISOString()));
    this.positionNow = unseen.lastPosition;
  }

  /** Records that the log holds no event up to `position`. */
  skipTo(position: bigint): void {
    if (position > this.positionNow) this.positionNow = position;
  }

  /**
   * Writes what a bulk writer held back and creates the indexes; batches applied after this go
   * through the projection's usual writer.
   */
  finishBulk(): void {
    const { bulk } = this;
    this.db.transaction(() => {
      bulk?.flush();
      this.model.projection.createIndexes(this.db, this.names);
    })();
    this.bulk = null;
    this.bulkFinished = true;
    this.writer = this.model.projection.writer(this.db, this.names);
  }

  /**
   * Drops the live tables and renames the rebuilt ones to their live names, with the checkpoint,
   * in one transaction. Only a rebuild that has caught up with the live model may replace it, or
   * the checkpoint would move back and the events in between would be applied twice.
   */
  swapIn(): void {
    const { model } = this;
    if (!this.bulkFinished) throw new Error(`Rebuilt tables of '${model.name}' swapped in before their bulk writes were flushed`);
    if (this.positionNow < model.position) {
      throw new Error(`Rebuilt tables of '${model.name}' are at ${this.positionNow}, behind the live ones at ${model.position}`);
    }
    const { projection } = model;
    const live = liveTableNames(this.names.generation);
    this.db.transaction(() => {
      dropTables(this.db, projection, live);
      for (const base of projection.tables) {
        this.db.exec(`ALTER TABLE "${this.names.table(base)}" RENAME TO "${live.table(base)}"`);
      }
      checkpointWriter(this.db)(projection.name, {
        position: this.positionNow,
        version: projection.version,
        generation: this.names.generation,
      });
    })();
    model.replaceWith(this.names.generation, this.positionNow);
  }

  /** Drops the rebuilt tables (a rebuild that failed or was stopped). */
  discard(): void {
    dropTables(this.db, this.model.projection, this.names);
  }
}

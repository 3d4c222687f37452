import type { Kysely } from 'kysely';
import type { ReadModelDatabase } from '../database/read-model-database';
import type { ReadModelTables } from '../database/read-model-tables';
import type { LogBatch } from '../log/log-batch';
import { readCheckpoint, writeCheckpoint } from './checkpoints';
import { dropTables, type ProjectedModel } from './projected-model';
import { screenForRebuild } from './quarantine';
import type { BulkProjectionWriter, ProjectionWriter } from './projection';
import { liveTableNames, onTables, rebuildTableNames, type TableNames } from './table-names';

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

  private constructor(
    private readonly database: ReadModelDatabase,
    readonly model: ProjectedModel,
  ) {
    const { projection } = model;
    this.names = rebuildTableNames(model.generation + 1);
    this.bulk = projection.bulkWriter?.() ?? null;
    this.writer = this.bulk ?? projection.writer();
  }

  /** Creates empty tables for the next generation of `model` (indexes come once they are full, in `finishBulk`). */
  static async create(database: ReadModelDatabase, model: ProjectedModel): Promise<RebuiltTables> {
    const tables = new RebuiltTables(database, model);
    await database.db.transaction().execute(async (db) => {
      await dropTables(db, model.projection, tables.names);
      await model.projection.createTables(tables.target(db));
    });
    return tables;
  }

  get position(): bigint {
    return this.positionNow;
  }

  /**
   * Applies a batch that starts right after `position`. The caller holds the transaction (`db`): a
   * rebuild applies one batch to several projections' tables at once, and commits no checkpoint
   * until the swap (a rebuild that fails is dropped whole).
   */
  async apply(db: Kysely<ReadModelTables>, batch: LogBatch): Promise<void> {
    const unseen = batch.after(this.positionNow);
    if (unseen.isEmpty) return;
    // Cases the live projection parked stop short here too (quarantine.ts).
    const screened = await screenForRebuild(db, unseen, this.model.name, new Date().toISOString());
    await this.writer.apply(this.target(db).db, screened);
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
  async finishBulk(): Promise<void> {
    const { bulk } = this;
    await this.database.db.transaction().execute(async (db) => {
      await bulk?.flush(this.target(db).db);
      await this.model.projection.createIndexes(this.target(db));
    });
    this.bulk = null;
    this.bulkFinished = true;
    this.writer = this.model.projection.writer();
  }

  /**
   * Drops the live tables and renames the rebuilt ones to their live names, with the checkpoint,
   * in one transaction. Only a rebuild that has caught up with the live model may replace it, or
   * the checkpoint would move back and the events in between would be applied twice; the caller
   * holds the model's `exclusive` turn, so no batch of this process reaches the live tables
   * meanwhile. Resolves to null once swapped, or, without swapping, to the durable checkpoint
   * another instance has moved the live tables to: the rebuilt tables must catch up with it first.
   */
  async swapIn(): Promise<bigint | null> {
    const { model } = this;
    if (!this.bulkFinished) throw new Error(`Rebuilt tables of '${model.name}' swapped in before their bulk writes were flushed`);
    if (this.positionNow < model.position) {
      throw new Error(`Rebuilt tables of '${model.name}' are at ${this.positionNow}, behind the live ones at ${model.position}`);
    }
    const { projection } = model;
    const live = liveTableNames(this.names.generation);
    const behind = await this.database.db.transaction().execute(async (db) => {
      await this.database.lockProjection(db, projection.name);
      // Another instance sharing the database may have moved the live tables on meanwhile.
      const durable = (await readCheckpoint(db, projection.name))?.position ?? 0n;
      if (durable > this.positionNow) return durable;
      await dropTables(db, projection, live);
      for (const base of projection.tables) await db.schema.alterTable(this.names.table(base)).renameTo(live.table(base)).execute();
      await writeCheckpoint(db, projection.name, {
        position: this.positionNow,
        version: projection.version,
        generation: this.names.generation,
      });
      return null;
    });
    if (behind === null) model.replaceWith(this.names.generation, this.positionNow);
    return behind;
  }

  /** Drops the rebuilt tables (a rebuild that failed or was stopped). */
  async discard(): Promise<void> {
    await dropTables(this.database.db, this.model.projection, this.names);
  }

  private target(db: Kysely<ReadModelTables>) {
    return { db: onTables(db, this.model.projection.tables, this.names), dialect: this.database.dialect, names: this.names };
  }
}

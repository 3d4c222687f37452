import type { Kysely } from 'kysely';
import type { RecordedEvent } from '@cases/event-store';
import type { ReadModelDatabase } from '../database/read-model-database';
import type { ReadModelTables } from '../database/read-model-tables';
import type { CaseEventDecoder, LogBatch } from '../log/log-batch';
import { readCheckpoint, writeCheckpoint, writePosition, type Checkpoint } from './checkpoints';
import { ParkedEvents } from './parked-events';
import { replayParkedStream, reportParked, type ReplayOutcome } from './parked-replay';
import { applyWithQuarantine, type ParkedNow } from './quarantine';
import type { Projection, ProjectionWriter } from './projection';
import { liveTableNames, onTables, rebuildTableNames, type TableNames } from './table-names';

/** The part of Nest's `Logger` the runner uses, so tests can watch what it reports. */
export interface ProjectionLogger {
  log(message: string): void;
  /** Lease changes that need attention (one lost); `error` when absent. */
  warn?(message: string): void;
  error(message: string, stack?: string): void;
}

/**
 * One projection's live read model: its tables, its checkpoint and the writer that applies a batch
 * to both in one transaction. `position` mirrors the durable checkpoint and moves only after the
 * transaction committed, never backwards. Writes to the live tables (a batch, a skip, a rebuild's
 * swap) take turns through `exclusive`, so none of them can slip between another's check and commit.
 */
export class ProjectedModel {
  private positionNow: bigint;
  private generationNow: number;
  private writer: ProjectionWriter;
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly database: ReadModelDatabase,
    readonly projection: Projection,
    checkpoint: Checkpoint,
    private readonly logger: ProjectionLogger,
  ) {
    this.positionNow = checkpoint.position;
    this.generationNow = checkpoint.generation;
    this.writer = projection.writer();
  }

  /**
   * Opens the projection's live tables, creating them when missing. Tables of an unknown or older
   * version are dropped and the projection starts from position 0. What a rebuild left half-built
   * beside them is dropped too when `dropRebuildTables` says no rebuild of it is running (the
   * runner knows by its rebuild lease): another instance's rebuild in progress keeps its tables.
   */
  static async open(
    database: ReadModelDatabase,
    projection: Projection,
    logger: ProjectionLogger,
    { dropRebuildTables }: { dropRebuildTables: boolean },
  ): Promise<ProjectedModel> {
    const checkpoint = await database.db.transaction().execute(async (db) => {
      // Instances starting together on one PostgreSQL database open each projection in turn.
      await database.lockProjection(db, projection.name);
      if (dropRebuildTables) await dropTables(db, projection, rebuildTableNames(0));
      const stored = await readCheckpoint(db, projection.name);
      if (stored && stored.version === projection.version) {
        await createSchema({ db, dialect: database.dialect }, projection, liveTableNames(stored.generation));
        return stored;
      }
      if (stored) {
        logger.log(
          `Projection '${projection.name}' changed from version ${stored.version} to ${projection.version}: ` +
            'replaying the log into new tables',
        );
      }
      // Without a checkpoint of this version, tables of the same names hold nothing this release can trust.
      await dropTables(db, projection, liveTableNames(0));
      // Replayed from position 0, every event is judged again.
      await ParkedEvents.releaseAll(db, projection.name);
      const fresh = { position: 0n, version: projection.version, generation: (stored?.generation ?? 0) + 1 };
      await createSchema({ db, dialect: database.dialect }, projection, liveTableNames(fresh.generation));
      await writeCheckpoint(db, projection.name, fresh);
      return fresh;
    });
    return new ProjectedModel(database, projection, checkpoint, logger);
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
   * What an instance that does not follow the log learns from the shared checkpoint another one
   * writes: the position moves up to it, and a newer generation (a rebuild swapped in elsewhere)
   * renews the writer. Neither ever moves back.
   */
  observe(checkpoint: Checkpoint): void {
    if (checkpoint.generation > this.generationNow) {
      this.generationNow = checkpoint.generation;
      this.writer = this.projection.writer();
    }
    if (checkpoint.position > this.positionNow) this.positionNow = checkpoint.position;
  }

  /** Runs `work` once every write to the live tables queued before it is over, and holds the next ones back until it is. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /**
   * Applies the part of `batch` past the checkpoint in one transaction with the checkpoint.
   * Resolves to whether the checkpoint moved.
   *
   * The transaction takes the projection's lock and reads the durable checkpoint first: another
   * instance sharing the database may have applied part of the batch already, and only the rest
   * is written (or none, the model's position then moving up to the durable one).
   *
   * An event the projection refuses is parked there and then and stops its own case only
   * (quarantine.ts); what was parked is logged once the transaction committed.
   */
  apply(batch: LogBatch): Promise<boolean> {
    return this.exclusive(async () => {
      const unseen = batch.after(this.positionNow);
      if (unseen.isEmpty) return false;
      const { reached, parkedNow } = await this.database.db.transaction().execute(async (db) => {
        await this.database.lockProjection(db, this.name);
        const durable = (await readCheckpoint(db, this.name))?.position ?? 0n;
        const rest = durable > this.positionNow ? unseen.after(durable) : unseen;
        if (rest.isEmpty) return { reached: durable, parkedNow: [] as ParkedNow[] };
        const parked = await applyWithQuarantine(db, rest, this.name, (part) => this.writer.apply(db, part), new Date().toISOString());
        await writePosition(db, this.name, rest.lastPosition);
        return { reached: rest.lastPosition, parkedNow: parked };
      });
      this.positionNow = reached;
      reportParked(this.logger, this.name, parkedNow);
      return true;
    });
  }

  /**
   * Applies the whole of a parked stream (`recorded`, read from the store) up to the checkpoint
   * and releases its parked events, or records why it failed (parked-replay.ts). It takes its
   * turn with the batches, so none reaches the live tables meanwhile.
   */
  replayParked(streamId: string, recorded: readonly RecordedEvent[], decode: CaseEventDecoder): Promise<ReplayOutcome> {
    return this.exclusive(() =>
      replayParkedStream({ database: this.database, projection: this.name, writer: this.writer, streamId, recorded, decode }),
    );
  }

  /** Moves the checkpoint over a stretch of the log that holds no event (a store may leave holes). */
  skipTo(position: bigint): Promise<boolean> {
    return this.exclusive(async () => {
      if (position <= this.positionNow) return false;
      // Forward only: another instance sharing the database may already be further.
      await writePosition(this.database.db, this.name, position);
      this.positionNow = position;
      return true;
    });
  }

  /**
   * Records that rebuilt tables took the place of the live ones (`RebuiltTables.swapIn` holds the
   * transaction, inside `exclusive`). From here on the model writes the rebuilt tables, under
   * their live names.
   */
  replaceWith(generation: number, position: bigint): void {
    this.generationNow = generation;
    this.writer = this.projection.writer();
    if (position > this.positionNow) this.positionNow = position;
  }
}

export async function createSchema(
  target: { db: Kysely<ReadModelTables>; dialect: ReadModelDatabase['dialect'] },
  projection: Projection,
  names: TableNames,
): Promise<void> {
  const schemaTarget = { db: onTables(target.db, projection.tables, names), dialect: target.dialect, names };
  await projection.createTables(schemaTarget);
  await projection.createIndexes(schemaTarget);
}

/** Drops every table of the projection under `names` (their indexes go with them). */
export async function dropTables(db: Kysely<ReadModelTables>, projection: Projection, names: TableNames): Promise<void> {
  for (const base of projection.tables) await db.schema.dropTable(names.table(base)).ifExists().execute();
}

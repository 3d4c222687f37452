import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '@cases/event-store';
import type { CaseEventDecoder, LogBatch } from '../log/log-batch';
import { checkpointWriter, positionWriter, readCheckpoint, type Checkpoint } from './checkpoints';
import { ParkedEvents } from './parked-events';
import { replayParkedStream, reportParked, type ReplayOutcome } from './parked-replay';
import { applyWithQuarantine, type ParkedNow } from './quarantine';
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
  private readonly applyInTransaction: (batch: LogBatch) => ParkedNow[];
  private readonly moveInTransaction: (position: bigint) => void;
  private readonly parked: ParkedEvents;

  private constructor(
    private readonly db: Database,
    readonly projection: Projection,
    checkpoint: Checkpoint,
    private readonly logger: ProjectionLogger,
  ) {
    this.positionNow = checkpoint.position;
    this.generationNow = checkpoint.generation;
    this.writer = projection.writer(db, liveTableNames(checkpoint.generation));
    const writePosition = positionWriter(db);
    // Parking (quarantine.ts): an event the projection refuses stops its own case, not the batch.
    this.parked = new ParkedEvents(db);
    const inSavepoint = db.transaction((work: () => void) => work());
    this.applyInTransaction = db.transaction((batch: LogBatch) => {
      const parkedNow = applyWithQuarantine(
        batch,
        projection.name,
        this.parked,
        (part) => this.writer.apply(part),
        inSavepoint,
        new Date().toISOString(),
      );
      writePosition(projection.name, batch.lastPosition);
      return parkedNow;
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
        return new ProjectedModel(db, projection, stored, logger);
      }
      if (stored) {
        logger.log(
          `Projection '${projection.name}' changed from version ${stored.version} to ${projection.version}: ` +
            'replaying the log into new tables',
        );
      }
      // Without a checkpoint of this version, tables of the same names hold nothing this release can trust.
      dropTables(db, projection, liveTableNames(0));
      // Replayed from position 0, every event is judged again.
      new ParkedEvents(db).releaseAll(projection.name);
      const checkpoint = { position: 0n, version: projection.version, generation: (stored?.generation ?? 0) + 1 };
      createSchema(db, projection, liveTableNames(checkpoint.generation));
      checkpointWriter(db)(projection.name, checkpoint);
      return new ProjectedModel(db, projection, checkpoint, logger);
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
    const parkedNow = this.applyInTransaction(unseen);
    this.positionNow = unseen.lastPosition;
    reportParked(this.logger, this.name, parkedNow);
    return true;
  }

  /**
   * Applies the whole of a parked stream (`recorded`, read from the store) up to the checkpoint
   * and releases its parked events, or records why it failed (parked-replay.ts).
   */
  replayParked(streamId: string, recorded: readonly RecordedEvent[], decode: CaseEventDecoder): ReplayOutcome {
    return replayParkedStream({ db: this.db, projection: this.name, writer: this.writer, parked: this.parked, streamId, recorded, decode });
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

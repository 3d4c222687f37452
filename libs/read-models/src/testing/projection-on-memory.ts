import type { RecordedEvent } from '@cases/event-store';
import { migrateReadModels } from '../database/migrations';
import { openReadModelDatabase, type ReadModelDatabase } from '../database/read-model-database';
import type { ReadModelTables } from '../database/read-model-tables';
import { LogBatch } from '../log/log-batch';
import type { Projection, ProjectionWriter } from '../projection/projection';
import type { ReadModelReader } from '../projection/projection-runner';
import { createSchema } from '../projection/projected-model';
import { liveTableNames } from '../projection/table-names';

/** A projection's live tables in an in-memory SQLite database, for unit specs to feed batches by hand. */
export class ProjectionOnMemory {
  private readonly database: ReadModelDatabase = openReadModelDatabase({ sqlite: ':memory:' });
  private readonly writer: ProjectionWriter;

  private constructor(projection: Projection) {
    this.writer = projection.writer();
  }

  static async open(projection: Projection): Promise<ProjectionOnMemory> {
    const opened = new ProjectionOnMemory(projection);
    // The shared tables too: queries look up parked events (a case needing attention) beside every read model.
    await migrateReadModels(opened.database);
    await createSchema(opened.database, projection, liveTableNames(1));
    return opened;
  }

  /** What queries read through. */
  get reader(): ReadModelReader {
    return { db: this.database.db, dialect: this.database.dialect };
  }

  get db(): ReadModelReader['db'] {
    return this.database.db;
  }

  /** Applies `events` as one batch, in one transaction, as the runner would. */
  async apply(events: readonly RecordedEvent[]): Promise<void> {
    await this.database.db.transaction().execute((db) => this.writer.apply(db, LogBatch.decode(events)));
  }

  /** How many rows `table` holds. */
  async count(table: keyof ReadModelTables): Promise<number> {
    const row = await this.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('rows'))
      .executeTakeFirstOrThrow();
    return Number(row.rows);
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

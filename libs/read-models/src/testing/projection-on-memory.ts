import Database from 'better-sqlite3';
import type { RecordedEvent } from '@cases/event-store';
import { LogBatch } from '../log/log-batch';
import { createParkedEventsTable } from '../projection/parked-events';
import type { Projection } from '../projection/projection';
import { liveTableNames } from '../projection/table-names';

/** A projection's live tables in an in-memory database, for unit specs to feed batches by hand. */
export class ProjectionOnMemory {
  readonly db = new Database(':memory:');
  private readonly applyInTransaction: (events: readonly RecordedEvent[]) => void;

  constructor(projection: Projection) {
    const names = liveTableNames(1);
    // Queries look up parked events (a case needing attention) beside every read model.
    createParkedEventsTable(this.db);
    projection.createTables(this.db, names);
    projection.createIndexes(this.db, names);
    const writer = projection.writer(this.db, names);
    this.applyInTransaction = this.db.transaction((events: readonly RecordedEvent[]) => writer.apply(LogBatch.decode(events)));
  }

  /** Applies `events` as one batch, in one transaction, as the runner would. */
  apply(events: readonly RecordedEvent[]): void {
    this.applyInTransaction(events);
  }

  close(): void {
    this.db.close();
  }
}

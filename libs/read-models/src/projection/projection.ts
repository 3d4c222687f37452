import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '@cases/event-store';

/**
 * A read model fed from the global log. The runner owns the transaction: `applyBatch` runs inside
 * it together with the checkpoint update, so a projection must never commit on its own, and
 * everything it writes either lands with the checkpoint or not at all.
 *
 * `applyBatch` is synchronous on purpose: better-sqlite3 transactions cannot span an `await`,
 * and a projection needs nothing but the events and its own tables.
 */
export interface Projection {
  /** Stable key of the projection's checkpoint. */
  readonly name: string;
  /**
   * Bump when the tables or what they mean change: on start the runner resets a projection whose
   * stored version differs, and the subscription replays the log into the new tables.
   */
  readonly version: number;
  /** Creates the projection's tables and indexes when they are missing. */
  createSchema(db: Database): void;
  /** Drops every table the projection owns, so a rebuild starts from nothing. */
  dropSchema(db: Database): void;
  /**
   * Applies consecutive events of the global log, in order. Events of non-case streams and events
   * already applied (a redelivery at or below a row's stored revision) are ignored.
   */
  applyBatch(db: Database, events: readonly RecordedEvent[]): void;
}

import Database from 'better-sqlite3';

/**
 * Opens (creating when missing) the SQLite file that holds every read model and the projection
 * checkpoints, kept apart from the event store's file: it can be deleted and rebuilt at any time.
 *
 * WAL lets queries read while a batch is being applied. `synchronous = NORMAL` is enough here:
 * in WAL mode a committed transaction survives a crash of the process, and a power loss can only
 * drop the last few transactions whole. Each of those carries a model change together with its
 * checkpoint, so the lost tail is simply replayed from the event store on the next start. `FULL`
 * would pay an fsync per batch to protect data the event store already protects.
 */
export function openReadModelDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // The operator CLI may open the same file while the service runs (a rebuild, an export).
  db.pragma('busy_timeout = 5000');
  // Table statistics let the planner pick the right index for the list's combined filters; the
  // limit keeps gathering them to a quick sample even on a table of millions of rows.
  db.pragma('analysis_limit = 1000');
  db.pragma('optimize = 0x10002');
  return db;
}

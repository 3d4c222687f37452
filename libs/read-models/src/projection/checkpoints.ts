import type { Database } from 'better-sqlite3';

/** Where a projection's live tables stand in the global log, which version of it built them, and their generation. */
export interface Checkpoint {
  position: bigint;
  version: number;
  /** Counts the projection's rebuilds: names its tables' indexes (see `TableNames`). */
  generation: number;
}

/**
 * Creates the checkpoint table. One written by an earlier release without generations is dropped:
 * read models are disposable, and without a checkpoint each projection starts again from nothing.
 */
export function createCheckpointTable(db: Database): void {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('projection_checkpoints')").all();
  if (columns.length > 0 && !columns.some((column) => column.name === 'generation')) {
    db.exec('DROP TABLE projection_checkpoints');
  }
  db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projection TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    version INTEGER NOT NULL,
    generation INTEGER NOT NULL
  )`);
}

export function readCheckpoint(db: Database, projection: string): Checkpoint | null {
  const row = db
    .prepare<[string], { position: bigint; version: bigint; generation: bigint }>(
      'SELECT position, version, generation FROM projection_checkpoints WHERE projection = ?',
    )
    .safeIntegers(true)
    .get(projection);
  return row ? { position: row.position, version: Number(row.version), generation: Number(row.generation) } : null;
}

/** Prepares the checkpoint write once, for the runner's per-batch transactions. */
export function checkpointWriter(db: Database): (projection: string, checkpoint: Checkpoint) => void {
  const upsert = db.prepare<[string, bigint, number, number]>(
    `INSERT INTO projection_checkpoints (projection, position, version, generation) VALUES (?, ?, ?, ?)
     ON CONFLICT (projection) DO UPDATE SET
       position = excluded.position, version = excluded.version, generation = excluded.generation`,
  );
  return (projection, { position, version, generation }) => upsert.run(projection, position, version, generation);
}

/** Moves only the position of a checkpoint (the other columns change with the tables, never per batch). */
export function positionWriter(db: Database): (projection: string, position: bigint) => void {
  const update = db.prepare<[bigint, string]>('UPDATE projection_checkpoints SET position = ? WHERE projection = ?');
  return (projection, position) => update.run(position, projection);
}

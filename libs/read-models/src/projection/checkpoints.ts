import type { Database } from 'better-sqlite3';

/** Where each projection stands in the global log, and which version of its tables it built. */
export interface Checkpoint {
  position: bigint;
  version: number;
}

export function createCheckpointTable(db: Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projection TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    version INTEGER NOT NULL
  )`);
}

export function readCheckpoint(db: Database, projection: string): Checkpoint | null {
  const row = db
    .prepare<[string], { position: bigint; version: bigint }>(
      'SELECT position, version FROM projection_checkpoints WHERE projection = ?',
    )
    .safeIntegers(true)
    .get(projection);
  return row ? { position: row.position, version: Number(row.version) } : null;
}

export function writeCheckpoint(db: Database, projection: string, checkpoint: Checkpoint): void {
  db.prepare(
    `INSERT INTO projection_checkpoints (projection, position, version) VALUES (?, ?, ?)
     ON CONFLICT (projection) DO UPDATE SET position = excluded.position, version = excluded.version`,
  ).run(projection, checkpoint.position, checkpoint.version);
}

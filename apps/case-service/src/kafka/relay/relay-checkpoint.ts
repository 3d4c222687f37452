import Database from 'better-sqlite3';

/**
 * Where the relay stands in the global log, in a SQLite file of its own beside the event store
 * (not in the read-model file, which may be deleted and rebuilt at any time: that would publish
 * every event again). Written after the broker acknowledged a batch, so a crash in between
 * repeats that batch on the next start and never skips it. `synchronous = NORMAL` in WAL mode can
 * lose the last few checkpoint writes on power loss, which again only repeats messages.
 */
export class RelayCheckpoint {
  private readonly db: Database.Database;
  private readonly readStatement: Database.Statement<[string], { position: bigint }>;
  private readonly writeStatement: Database.Statement<[string, bigint, string]>;

  constructor(
    file: string,
    private readonly relay: string,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS kafka_relay_checkpoints (
      relay TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    this.readStatement = this.db
      .prepare<[string], { position: bigint }>('SELECT position FROM kafka_relay_checkpoints WHERE relay = ?')
      .safeIntegers(true);
    this.writeStatement = this.db.prepare<[string, bigint, string]>(
      `INSERT INTO kafka_relay_checkpoints (relay, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (relay) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
  }

  /** The last position published and acknowledged (0n before the first). */
  read(): bigint {
    return this.readStatement.get(this.relay)?.position ?? 0n;
  }

  write(position: bigint): void {
    this.writeStatement.run(this.relay, position, new Date().toISOString());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

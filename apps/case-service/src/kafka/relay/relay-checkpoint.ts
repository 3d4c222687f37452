import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { createUnderAdvisoryLock, type AdvisoryLockKey } from '@cases/coordination';

/**
 * Where the relay stands in the global log: the last position published and acknowledged. Written
 * after the broker acknowledged a batch, so a crash in between repeats that batch on the next start
 * and never skips it. Never in the read-model file, which may be deleted and rebuilt at any time:
 * that would publish every event again.
 *
 * Whichever instance holds the relay's lease publishes, so the checkpoint lives where every
 * instance reads it: beside the log. On the embedded store (one instance) a SQLite file of its own
 * in DATA_DIR; on PostgreSQL (and with KurrentDB, in the PostgreSQL database the service keeps
 * people's keys in) a table of that database, so an instance taking the lease over goes on where
 * the last holder stopped.
 */
export interface RelayCheckpoint {
  /** The last position published and acknowledged (0n before the first). */
  read(): Promise<bigint>;
  write(position: bigint): Promise<void>;
  close(): Promise<void>;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS kafka_relay_checkpoints (
  relay TEXT PRIMARY KEY,
  position BIGINT NOT NULL,
  updated_at TEXT NOT NULL
)`;
/**
 * The advisory lock (two-integer form) held while the table is created: CREATE TABLE IF NOT EXISTS
 * is not safe against itself on PostgreSQL (two sessions can both find the table missing and one
 * then fails on the catalog's unique index), and instances start together. Clear of the event
 * store's (0x4553_…), the key store's (0x5044_…) and the leases' spaces.
 */
const CREATE_TABLE_LOCK: AdvisoryLockKey = [0x4b52_0001, 0];
const UPSERT = `ON CONFLICT (relay) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`;

/**
 * The embedded store's checkpoint. `synchronous = NORMAL` in WAL mode can lose the last few
 * checkpoint writes on power loss, which again only repeats messages.
 */
export class SqliteRelayCheckpoint implements RelayCheckpoint {
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
    this.db.exec(CREATE_TABLE);
    this.readStatement = this.db
      .prepare<[string], { position: bigint }>('SELECT position FROM kafka_relay_checkpoints WHERE relay = ?')
      .safeIntegers(true);
    this.writeStatement = this.db.prepare<[string, bigint, string]>(
      `INSERT INTO kafka_relay_checkpoints (relay, position, updated_at) VALUES (?, ?, ?) ${UPSERT}`,
    );
  }

  async read(): Promise<bigint> {
    return this.readStatement.get(this.relay)?.position ?? 0n;
  }

  async write(position: bigint): Promise<void> {
    this.writeStatement.run(this.relay, position, new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** The checkpoint in a table of the PostgreSQL database the instances share. */
export class PostgresRelayCheckpoint implements RelayCheckpoint {
  private readonly pool: Pool;
  private ready: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly relay: string,
  ) {
    this.pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
    // An idle connection that dies is replaced on the next query; without a listener the error would be thrown.
    this.pool.on('error', () => undefined);
  }

  async read(): Promise<bigint> {
    await this.table();
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM kafka_relay_checkpoints WHERE relay = $1', [
      this.relay,
    ]);
    return rows.length === 0 ? 0n : BigInt(rows[0].position);
  }

  async write(position: bigint): Promise<void> {
    await this.table();
    await this.pool.query(`INSERT INTO kafka_relay_checkpoints (relay, position, updated_at) VALUES ($1, $2, $3) ${UPSERT}`, [
      this.relay,
      position.toString(),
      new Date().toISOString(),
    ]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private table(): Promise<void> {
    this.ready ??= this.createTable().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async createTable(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await createUnderAdvisoryLock(client, CREATE_TABLE_LOCK, [CREATE_TABLE]);
    } finally {
      client.release();
    }
  }
}

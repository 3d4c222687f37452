import Database from 'better-sqlite3';
import {
  PersonKeyExistsError,
  type DestroyOutcome,
  type NewPersonKey,
  type PersonKey,
  type PersonKeyListing,
  type PersonKeyStore,
} from '../person-key-store.port';

interface Row {
  person_id: string;
  case_id: string;
  master_key_id: string | null;
  wrapped_key: Buffer | null;
  created_at: string;
  destroyed_at: string | null;
}

/**
 * The embedded default's key store: a SQLite file of its own (DATA_DIR/person-keys.db), not a
 * table of events.db, so that the long-lived, widely copied event log and its backups never hold
 * a key, and erasing one rewrites a small file only (docs/decisions/0008).
 *
 * `secure_delete` makes SQLite overwrite erased content with zeros, and a destruction ends with a
 * truncating WAL checkpoint, so neither the database file nor its WAL keeps a destroyed key's bytes.
 * `synchronous = FULL`: a key is on disk before the event sealed with it is appended.
 */
export class SqlitePersonKeyStore implements PersonKeyStore {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): SqlitePersonKeyStore {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('secure_delete = ON');
      db.pragma('busy_timeout = 5000');
      db.exec(`
        CREATE TABLE IF NOT EXISTS person_keys (
          person_id     TEXT PRIMARY KEY,
          case_id       TEXT NOT NULL,
          master_key_id TEXT,
          wrapped_key   BLOB,
          created_at    TEXT NOT NULL,
          destroyed_at  TEXT,
          CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
        ) STRICT;
        CREATE INDEX IF NOT EXISTS person_keys_by_case ON person_keys (case_id, created_at);
      `);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqlitePersonKeyStore(db);
  }

  async put(keys: readonly NewPersonKey[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO person_keys (person_id, case_id, master_key_id, wrapped_key, created_at) VALUES (?, ?, ?, ?, ?)`,
    );
    const createdAt = new Date().toISOString();
    // One transaction, so one sync to disk for all the people of an event.
    this.db.transaction(() => {
      for (const key of keys) {
        try {
          insert.run(key.personId, key.caseId, key.masterKeyId, key.wrappedKey, createdAt);
        } catch (error) {
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new PersonKeyExistsError(key.personId);
          throw error;
        }
      }
    })();
  }

  async get(personId: string): Promise<PersonKey | null> {
    const row = this.db.prepare('SELECT * FROM person_keys WHERE person_id = ?').get(personId) as Row | undefined;
    return row === undefined ? null : toPersonKey(row);
  }

  async destroy(personId: string, at: Date): Promise<DestroyOutcome> {
    const outcome = this.db.transaction((): DestroyOutcome => {
      const row = this.db.prepare('SELECT destroyed_at FROM person_keys WHERE person_id = ?').get(personId) as
        Pick<Row, 'destroyed_at'> | undefined;
      if (row === undefined) return 'unknown';
      if (row.destroyed_at !== null) return 'already_destroyed';
      this.db
        .prepare('UPDATE person_keys SET wrapped_key = NULL, master_key_id = NULL, destroyed_at = ? WHERE person_id = ?')
        .run(at.toISOString(), personId);
      return 'destroyed';
    })();
    // Moves the zeroed page into the database file and empties the WAL, which held the key's page.
    if (outcome === 'destroyed') this.db.pragma('wal_checkpoint(TRUNCATE)');
    return outcome;
  }

  async list(filter: { caseId?: string } = {}): Promise<PersonKeyListing[]> {
    const rows = (
      filter.caseId === undefined
        ? this.db.prepare('SELECT * FROM person_keys ORDER BY created_at, person_id').all()
        : this.db.prepare('SELECT * FROM person_keys WHERE case_id = ? ORDER BY created_at, person_id').all(filter.caseId)
    ) as Row[];
    return rows.map((row) => ({
      personId: row.person_id,
      caseId: row.case_id,
      masterKeyId: row.master_key_id,
      createdAt: new Date(row.created_at),
      destroyedAt: row.destroyed_at === null ? null : new Date(row.destroyed_at),
    }));
  }

  async copyIn(keys: readonly PersonKey[]): Promise<number> {
    const find = this.db.prepare('SELECT destroyed_at FROM person_keys WHERE person_id = ?');
    const insert = this.db.prepare(
      `INSERT INTO person_keys (person_id, case_id, master_key_id, wrapped_key, created_at, destroyed_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const erase = this.db.prepare('UPDATE person_keys SET wrapped_key = NULL, master_key_id = NULL, destroyed_at = ? WHERE person_id = ?');
    let erased = false;
    const written = this.db.transaction((): number => {
      let count = 0;
      for (const key of keys) {
        const here = find.get(key.personId) as Pick<Row, 'destroyed_at'> | undefined;
        const live = key.status === 'live';
        if (here === undefined) {
          insert.run(
            key.personId,
            key.caseId,
            live ? key.masterKeyId : null,
            live ? key.wrappedKey : null,
            key.createdAt.toISOString(),
            live ? null : key.destroyedAt.toISOString(),
          );
          count += 1;
        } else if (here.destroyed_at === null && !live) {
          erase.run(key.destroyedAt.toISOString(), key.personId);
          erased = true;
          count += 1;
        }
      }
      return count;
    })();
    // As for a destruction: no byte of an erased key stays in the WAL.
    if (erased) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return written;
  }

  async rewrap(personId: string, fromMasterKeyId: string, to: { masterKeyId: string; wrappedKey: Buffer }): Promise<boolean> {
    const { changes } = this.db
      .prepare(
        'UPDATE person_keys SET master_key_id = ?, wrapped_key = ? WHERE person_id = ? AND master_key_id = ? AND destroyed_at IS NULL',
      )
      .run(to.masterKeyId, to.wrappedKey, personId, fromMasterKeyId);
    return changes === 1;
  }

  /** Moves what the WAL holds into the file and empties it: after a rotation, no page of the old wrappings stays there. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toPersonKey(row: Row): PersonKey {
  const common = { personId: row.person_id, caseId: row.case_id, createdAt: new Date(row.created_at) };
  if (row.destroyed_at !== null || row.wrapped_key === null || row.master_key_id === null) {
    return { status: 'destroyed', ...common, destroyedAt: new Date(row.destroyed_at ?? row.created_at) };
  }
  return { status: 'live', ...common, masterKeyId: row.master_key_id, wrappedKey: row.wrapped_key };
}

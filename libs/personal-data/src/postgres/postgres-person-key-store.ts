import { createUnderAdvisoryLock, type AdvisoryLockKey } from '@cases/coordination';
import { Pool, type PoolConfig } from 'pg';
import {
  PersonKeyExistsError,
  type DestroyOutcome,
  type NewPersonKey,
  type PersonKey,
  type PersonKeyListing,
  type PersonKeyStore,
} from '../person-key-store.port';

/** The schema that holds the key table, beside the event store's schema in the same database. */
export const PERSONAL_DATA_SCHEMA = 'personal_data';

/** First key of the advisory lock held while the table is created (stays clear of the event store's 0x4553_xxxx). */
const MIGRATION_LOCK: AdvisoryLockKey = [0x5044_0001, 0];

interface Row {
  person_id: string;
  case_id: string;
  master_key_id: string | null;
  wrapped_key: Buffer | null;
  created_at: Date;
  destroyed_at: Date | null;
}

const STATEMENTS = [
  `CREATE SCHEMA IF NOT EXISTS ${PERSONAL_DATA_SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${PERSONAL_DATA_SCHEMA}.person_keys (
     person_id     uuid        PRIMARY KEY,
     case_id       text        NOT NULL,
     master_key_id text,
     wrapped_key   bytea,
     created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
     destroyed_at  timestamptz,
     CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
   )`,
  `CREATE INDEX IF NOT EXISTS person_keys_by_case ON ${PERSONAL_DATA_SCHEMA}.person_keys (case_id, created_at)`,
];

/**
 * The key store of PostgreSQL deployments, and of KurrentDB ones (KurrentDB cannot erase one
 * event's bytes, so keys never go there): a table of its own schema in the service's database.
 *
 * PostgreSQL keeps an updated row's old version until VACUUM reclaims it and the page is reused,
 * and WAL archives and base backups keep what they captured; docs/decisions/0008 says what that
 * means for a destroyed key.
 */
export class PostgresPersonKeyStore implements PersonKeyStore {
  private constructor(private readonly pool: Pool) {}

  static async open(connectionString: string, pool: Omit<PoolConfig, 'connectionString'> = {}): Promise<PostgresPersonKeyStore> {
    const connections = new Pool({ connectionTimeoutMillis: 10_000, max: 4, ...pool, connectionString });
    // The server dropping an idle connection emits 'error' on the pool, which would end the process
    // without a listener; the next query takes a new connection, or fails as an outage (503).
    connections.on('error', () => undefined);
    const store = new PostgresPersonKeyStore(connections);
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await createUnderAdvisoryLock(client, MIGRATION_LOCK, STATEMENTS);
    } finally {
      client.release();
    }
  }

  async put(keys: readonly NewPersonKey[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      // One statement, so all of an event's people are stored or none.
      await this.pool.query(
        `INSERT INTO ${PERSONAL_DATA_SCHEMA}.person_keys (person_id, case_id, master_key_id, wrapped_key)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[])`,
        [
          keys.map((key) => key.personId),
          keys.map((key) => key.caseId),
          keys.map((key) => key.masterKeyId),
          keys.map((key) => key.wrappedKey),
        ],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        const detail = (error as { detail?: string }).detail ?? '';
        throw new PersonKeyExistsError(keys.find((key) => detail.includes(key.personId))?.personId ?? keys[0].personId);
      }
      throw error;
    }
  }

  async get(personId: string): Promise<PersonKey | null> {
    if (!isUuid(personId)) return null;
    const { rows } = await this.pool.query<Row>(`SELECT * FROM ${PERSONAL_DATA_SCHEMA}.person_keys WHERE person_id = $1`, [personId]);
    const row = rows[0];
    if (row === undefined) return null;
    const common = { personId: row.person_id, caseId: row.case_id, createdAt: row.created_at };
    if (row.destroyed_at !== null || row.wrapped_key === null || row.master_key_id === null) {
      return { status: 'destroyed', ...common, destroyedAt: row.destroyed_at ?? row.created_at };
    }
    return { status: 'live', ...common, masterKeyId: row.master_key_id, wrappedKey: row.wrapped_key };
  }

  async destroy(personId: string, at: Date): Promise<DestroyOutcome> {
    if (!isUuid(personId)) return 'unknown';
    const { rows } = await this.pool.query<{ destroyed: boolean }>(
      `WITH target AS (
         SELECT person_id, destroyed_at FROM ${PERSONAL_DATA_SCHEMA}.person_keys WHERE person_id = $1 FOR UPDATE
       ), erased AS (
         UPDATE ${PERSONAL_DATA_SCHEMA}.person_keys k
            SET wrapped_key = NULL, master_key_id = NULL, destroyed_at = $2
           FROM target WHERE k.person_id = target.person_id AND target.destroyed_at IS NULL
         RETURNING k.person_id
       )
       SELECT EXISTS (SELECT 1 FROM erased) AS destroyed FROM target`,
      [personId, at],
    );
    if (rows.length === 0) return 'unknown';
    return rows[0].destroyed ? 'destroyed' : 'already_destroyed';
  }

  async list(filter: { caseId?: string } = {}): Promise<PersonKeyListing[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT person_id, case_id, master_key_id, created_at, destroyed_at FROM ${PERSONAL_DATA_SCHEMA}.person_keys
        WHERE $1::text IS NULL OR case_id = $1 ORDER BY created_at, person_id`,
      [filter.caseId ?? null],
    );
    return rows.map((row) => ({
      personId: row.person_id,
      caseId: row.case_id,
      masterKeyId: row.master_key_id,
      createdAt: row.created_at,
      destroyedAt: row.destroyed_at,
    }));
  }

  async copyIn(keys: readonly PersonKey[]): Promise<number> {
    if (keys.length === 0) return 0;
    const live = (key: PersonKey) => (key.status === 'live' ? key : undefined);
    // One statement: all or none. A person already here is left alone unless a tombstone meets a live key.
    const result = await this.pool.query(
      `INSERT INTO ${PERSONAL_DATA_SCHEMA}.person_keys AS k (person_id, case_id, master_key_id, wrapped_key, created_at, destroyed_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::timestamptz[], $6::timestamptz[])
       ON CONFLICT (person_id) DO UPDATE SET wrapped_key = NULL, master_key_id = NULL, destroyed_at = excluded.destroyed_at
        WHERE k.destroyed_at IS NULL AND excluded.destroyed_at IS NOT NULL`,
      [
        keys.map((key) => key.personId),
        keys.map((key) => key.caseId),
        keys.map((key) => live(key)?.masterKeyId ?? null),
        keys.map((key) => live(key)?.wrappedKey ?? null),
        keys.map((key) => key.createdAt),
        keys.map((key) => (key.status === 'destroyed' ? key.destroyedAt : null)),
      ],
    );
    return result.rowCount ?? 0;
  }

  async rewrap(personId: string, fromMasterKeyId: string, to: { masterKeyId: string; wrappedKey: Buffer }): Promise<boolean> {
    if (!isUuid(personId)) return false;
    const result = await this.pool.query(
      `UPDATE ${PERSONAL_DATA_SCHEMA}.person_keys SET master_key_id = $3, wrapped_key = $4
        WHERE person_id = $1 AND master_key_id = $2 AND destroyed_at IS NULL`,
      [personId, fromMasterKeyId, to.masterKeyId, to.wrappedKey],
    );
    return result.rowCount === 1;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Person ids are UUIDs; anything else is simply not a person this store knows. */
function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

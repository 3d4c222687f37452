import { createUnderAdvisoryLock } from '@cases/coordination';
import type { ClientBase } from 'pg';

/** The PostgreSQL schema that holds the event store's tables, apart from read models sharing the database. */
export const EVENT_STORE_SCHEMA = 'event_store';

/** The LISTEN/NOTIFY channel an append announces its commit on, so other instances' subscriptions wake at once. */
export const EVENT_STORE_CHANNEL = 'event_store_appended';

/**
 * The first key of every advisory lock the event store takes (the two-integer form, which never
 * conflicts with single-bigint keys). Other code using advisory locks on the same database must
 * stay clear of these.
 */
export const EVENT_STORE_LOCK_SPACE = {
  /** Held while the schema is created, so instances starting together do not race on DDL. */
  migration: 0x4553_0001,
  /** Per stream (second key: hashtext of the stream id), until the append's transaction ends. */
  stream: 0x4553_0002,
  /** Session lock around transaction-id assignment and position allocation, released before COMMIT. */
  allocation: 0x4553_0003,
} as const;

/** `pg_current_xact_id()` and the xid8 type arrived in PostgreSQL 13. */
const MINIMUM_SERVER_VERSION = 130000;

/**
 * Why each column is there:
 * - `position` comes from a sequence, allocated in blocks under the allocation lock together with
 *   the transaction id, so positions and `transaction_id` rise together (see PostgresEventStore).
 * - `transaction_id` (xid8, 64-bit, never wraps) is what readers compare with their snapshot's
 *   xmin to know which positions are final.
 * - `data`, `personal` and `metadata` are `json`, not `jsonb`: the text is kept exactly as written
 *   (key order, number spelling), as the SQLite store keeps it, so a log copied between stores
 *   compares equal. Nothing queries inside them.
 * - `personal` is the only column that may identify a person (SPEC §7), apart so it can be shredded alone.
 */
const STATEMENTS = [
  `CREATE SCHEMA IF NOT EXISTS ${EVENT_STORE_SCHEMA}`,
  `CREATE SEQUENCE IF NOT EXISTS ${EVENT_STORE_SCHEMA}.events_position_seq AS bigint MINVALUE 1`,
  `CREATE TABLE IF NOT EXISTS ${EVENT_STORE_SCHEMA}.events (
     position       bigint      PRIMARY KEY,
     transaction_id xid8        NOT NULL,
     stream_id      text        NOT NULL,
     revision       bigint      NOT NULL,
     event_id       uuid        NOT NULL UNIQUE,
     type           text        NOT NULL,
     data           json        NOT NULL,
     personal       json,
     metadata       json        NOT NULL,
     created        timestamptz NOT NULL DEFAULT now(),
     UNIQUE (stream_id, revision)
   )`,
];

/**
 * Creates the event store's schema when it is missing; running it again changes nothing. Refuses
 * a server older than PostgreSQL 13.
 */
export async function migratePostgresEventStore(client: ClientBase): Promise<void> {
  const { rows } = await client.query<{ version: string }>(`SELECT current_setting('server_version_num') AS version`);
  const version = Number(rows[0].version);
  if (version < MINIMUM_SERVER_VERSION) {
    throw new Error(`The PostgreSQL event store needs PostgreSQL 13 or later (xid8); this server is version ${version}`);
  }
  await createUnderAdvisoryLock(client, [EVENT_STORE_LOCK_SPACE.migration, 0], STATEMENTS);
}

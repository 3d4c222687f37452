import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { Pool, types } from 'pg';
import type { ReadModelTables } from './read-model-tables';

/** Which database holds the read models: the embedded SQLite file, or PostgreSQL. */
export type ReadModelDialect = 'sqlite' | 'postgres';

/** Where the read models live: a SQLite file (`:memory:` in tests), or a PostgreSQL connection string. */
export type ReadModelLocation = { sqlite: string } | { postgres: string };

/**
 * The read models' database behind one typed query builder: every projection and query is
 * written once, against `ReadModelTables`, for both dialects (docs/decisions/0012-kysely-async-read-side.md).
 */
export interface ReadModelDatabase {
  readonly dialect: ReadModelDialect;
  readonly db: Kysely<ReadModelTables>;
  /**
   * Makes the transaction `db` wait until no other transaction holds `projection`'s lock, and holds
   * it until it ends: the writes of one projection take turns across every process that shares the
   * database (several instances on PostgreSQL). On SQLite a writing transaction already excludes
   * every other, so there is nothing to take.
   */
  lockProjection(db: Kysely<ReadModelTables>, projection: string): Promise<void>;
  /** Refreshes the planner's statistics, e.g. after a rebuild filled tables from nothing. */
  analyze(): Promise<void>;
  close(): Promise<void>;
}

export function openReadModelDatabase(location: ReadModelLocation): ReadModelDatabase {
  return 'sqlite' in location ? openSqlite(location.sqlite) : openPostgres(location.postgres);
}

/**
 * The SQLite file that holds every read model and the projection checkpoints, kept apart from the
 * event store's file: it can be deleted and rebuilt at any time.
 *
 * WAL lets queries read while a batch is being applied. `synchronous = NORMAL` is enough here:
 * in WAL mode a committed transaction survives a crash of the process, and a power loss can only
 * drop the last few transactions whole. Each of those carries a model change together with its
 * checkpoint, so the lost tail is simply replayed from the event store on the next start. `FULL`
 * would pay an fsync per batch to protect data the event store already protects.
 */
function openSqlite(file: string): ReadModelDatabase {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // The operator CLI may open the same file while the service runs (a rebuild, an export).
  database.pragma('busy_timeout = 5000');
  // Table statistics let the planner pick the right index for the list's combined filters; the
  // limit keeps gathering them to a quick sample even on a table of millions of rows.
  database.pragma('analysis_limit = 1000');
  database.pragma('optimize = 0x10002');
  // Positions and revisions are bigints (docs/decisions/0003-bigint-revisions-and-positions.md).
  database.defaultSafeIntegers(true);
  const db = new Kysely<ReadModelTables>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return {
    dialect: 'sqlite',
    db,
    lockProjection: () => Promise.resolve(),
    analyze: async () => {
      await sql`pragma optimize`.execute(db);
    },
    close: async () => {
      if (!database.open) return;
      database.pragma('optimize');
      await db.destroy();
    },
  };
}

/** Distinct statements kept prepared: a projection's few queries, each multi-row insert in its few sizes. */
const CACHED_STATEMENTS = 512;

/**
 * The database as Kysely's SQLite dialect sees it, preparing each distinct SQL text once: the
 * dialect prepares every query it runs, and parsing a multi-row insert again for every chunk of
 * a rebuild would cost about as much as running it. A statement is only ever run by one query at
 * a time (the dialect runs one query at a time on its one connection).
 */
function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        // The least recently used goes (a Map iterates in insertion order; a hit moves to the end).
        if (statements.size >= CACHED_STATEMENTS) statements.delete(statements.keys().next().value as string);
      } else {
        statements.delete(text);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

const INT8_OID = 20;

/** PostgreSQL through a small pool; `bigint` columns (and counts) come back as BigInt, as on SQLite. */
function openPostgres(url: string): ReadModelDatabase {
  const pool = new Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => BigInt(value)
          : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
    },
  });
  // An idle connection the server drops must not end the process: the next query opens another.
  pool.on('error', () => undefined);
  const db = new Kysely<ReadModelTables>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    db,
    lockProjection: async (transaction, projection) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`read-model:${projection}`}))`.execute(transaction);
    },
    analyze: async () => {
      await sql`analyze`.execute(db);
    },
    close: () => db.destroy(),
  };
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './postgres-test-database';

/**
 * Where a test service keeps its event log, read models and people's keys: SQLite files in its
 * DATA_DIR (the default), or a PostgreSQL database of its own when TEST_STORES=postgres (the
 * e2e-postgres jest project, see jest.config.js). Suites that restart a service on the same
 * stores, or look past the service at what a store holds, go through this module so they run
 * on both.
 */
export type TestStoreKind = 'sqlite' | 'postgres';

/** The stores the suites of this jest project run on. */
export function testStoreKind(): TestStoreKind {
  return process.env.TEST_STORES === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestStores {
  readonly kind: TestStoreKind;
  /**
   * The configuration a service on these stores starts with, besides DATA_DIR. On PostgreSQL it
   * carries the master key and sign-in secret a deployment on a shared store must supply instead
   * of generating them into DATA_DIR.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Drops the PostgreSQL database; nothing to do for SQLite (its files go with DATA_DIR). */
  drop(): Promise<void>;
}

export async function createTestStores(kind: TestStoreKind = testStoreKind()): Promise<TestStores> {
  if (kind === 'sqlite') return { kind, env: {}, drop: async () => undefined };
  const database: PostgresTestDatabase = await createPostgresTestDatabase();
  return {
    kind,
    env: {
      EVENT_STORE: 'postgres',
      READ_MODELS: 'postgres',
      DATABASE_URL: database.url,
      CASES_MASTER_KEY: randomBytes(32).toString('base64'),
      CASES_JWT_SECRET: randomBytes(32).toString('hex'),
    },
    drop: () => database.drop(),
  };
}

/**
 * Runs one SQL statement straight on the event store of `stores` (DATA_DIR/events.db, or the
 * PostgreSQL database), as someone with access to the database would, past the service. The
 * statement names the table `{events}` and its parameters `$1`, `$2`…; the answer is the rows
 * it returned and how many it changed.
 */
export async function queryEventStore(
  stores: TestStores,
  dataDir: string,
  statement: string,
  parameters: readonly unknown[] = [],
): Promise<{ rows: Record<string, unknown>[]; changes: number }> {
  if (stores.kind === 'sqlite') {
    const db = new Database(join(dataDir, 'events.db'));
    try {
      // better-sqlite3 binds `?` in order: each `$n` becomes one, with its value at that place.
      const ordered: unknown[] = [];
      const text = statement.replaceAll('{events}', 'events').replace(/\$(\d+)/g, (_match, n: string) => {
        ordered.push(parameters[Number(n) - 1]);
        return '?';
      });
      const prepared = db.prepare(text);
      if (prepared.reader) return { rows: prepared.all(...ordered) as Record<string, unknown>[], changes: 0 };
      return { rows: [], changes: prepared.run(...ordered).changes };
    } finally {
      db.close();
    }
  }
  return withPostgres(stores, async (client) => {
    const result = await client.query(statement.replaceAll('{events}', 'event_store.events'), [...parameters]);
    return { rows: result.rows as Record<string, unknown>[], changes: result.rowCount ?? 0 };
  });
}

/**
 * Every row of every table of the PostgreSQL database of `stores`, as text, by `schema.table`:
 * what a copy of the database would hold.
 */
export async function postgresTableTexts(stores: TestStores): Promise<Map<string, string>> {
  return withPostgres(stores, async (client) => {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const texts = new Map<string, string>();
    for (const { schema, name } of tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${name}" t`);
      texts.set(`${schema}.${name}`, rows.map((row) => row.row).join('\n'));
    }
    return texts;
  });
}

async function withPostgres<T>(stores: TestStores, work: (client: Client) => Promise<T>): Promise<T> {
  const url = stores.env.DATABASE_URL;
  if (url === undefined) throw new Error(`the ${stores.kind} test stores have no PostgreSQL database`);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Throw-away PostgreSQL databases for tests: each suite creates its own, with a unique name, on
 * the server at TEST_DATABASE_URL (default: the local server test/prepare.sh starts), and drops
 * it afterwards. A server that cannot be reached fails the suite with a message saying so.
 */

const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const CONNECT_TIMEOUT_MS = 5000;

export interface PostgresTestDatabase {
  readonly name: string;
  /** Connection string of the new database. */
  readonly url: string;
  /** Drops the database, ending any connection still open on it. */
  drop(): Promise<void>;
}

/** The server the test databases are created on: TEST_DATABASE_URL, or the local one. */
export function postgresServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
}

export async function createPostgresTestDatabase(): Promise<PostgresTestDatabase> {
  const serverUrl = postgresServerUrl();
  const name = `cases_test_${randomBytes(6).toString('hex')}`;
  await withServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `PostgreSQL is not reachable at ${withoutPassword(serverUrl)} (${reason}): start it (bash test/prepare.sh does) or set TEST_DATABASE_URL`,
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function withoutPassword(serverUrl: string): string {
  try {
    const url = new URL(serverUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(an unparsable TEST_DATABASE_URL)';
  }
}

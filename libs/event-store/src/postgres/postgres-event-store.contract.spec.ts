import { createPostgresTestDatabase, PostgresTestDatabase } from '../../../../test/support/postgres-test-database';
import { describeEventStoreContract } from '../contract';
import { PostgresEventStore } from './postgres-event-store';

// One throw-away database for the file: the contract's tests use fresh stream ids and only
// assert on their own events, so each opens its own store on the shared database.
let database: PostgresTestDatabase;

beforeAll(async () => {
  database = await createPostgresTestDatabase();
});

afterAll(() => database?.drop());

describeEventStoreContract('PostgreSQL', async () => {
  const store = await PostgresEventStore.open(database.url);
  return { store, cleanup: () => store.close() };
});

import { createPostgresTestDatabase, PostgresTestDatabase } from '../../../../test/support/postgres-test-database';
import { describeEventStoreContract } from '../contract';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { HashChainedEventStore } from './hash-chained-event-store';

// The service on PostgreSQL writes through the hash chain too: there an append resolves only after
// its group commit, so appends to one stream made without awaiting find their predecessor unstored.
let database: PostgresTestDatabase;

beforeAll(async () => {
  database = await createPostgresTestDatabase();
});

afterAll(() => database?.drop());

describeEventStoreContract('PostgreSQL behind the hash chain', async () => {
  const store = new HashChainedEventStore(await PostgresEventStore.open(database.url));
  return {
    store,
    cleanup: async () => {
      // Whatever a contract test appended, racing and retried appends included, chains intact.
      expect((await store.verifyChain()).problems).toEqual([]);
      await store.close();
    },
  };
});

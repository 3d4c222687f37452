import { Client } from 'pg';
import { randomBytes, randomUUID } from 'node:crypto';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../../../test/support/postgres-test-database';
import { describePersonKeyStoreContract } from '../contract/person-key-store.contract';
import { PERSONAL_DATA_SCHEMA, PostgresPersonKeyStore } from './postgres-person-key-store';

// One throw-away database for the file; each test opens its own store on it.
let database: PostgresTestDatabase;

beforeAll(async () => {
  database = await createPostgresTestDatabase();
});

afterAll(() => database?.drop());

describePersonKeyStoreContract('PostgreSQL', async () => {
  const store = await PostgresPersonKeyStore.open(database.url);
  return { store, cleanup: () => store.close() };
});

describe('PostgresPersonKeyStore', () => {
  it('creates its table once when instances start together, and erases the key column on destroy', async () => {
    const stores = await Promise.all(Array.from({ length: 3 }, () => PostgresPersonKeyStore.open(database.url)));
    const key = { personId: randomUUID(), caseId: randomUUID(), masterKeyId: 'a1b2c3d4e5f60718', wrappedKey: randomBytes(61) };
    await stores[0].put([key]);
    expect(await stores[1].get(key.personId)).toMatchObject({ status: 'live', wrappedKey: key.wrappedKey });
    expect(await stores[2].destroy(key.personId, new Date())).toBe('destroyed');
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT wrapped_key, master_key_id, destroyed_at FROM ${PERSONAL_DATA_SCHEMA}.person_keys WHERE person_id = $1`,
        [key.personId],
      );
      expect(rows).toEqual([{ wrapped_key: null, master_key_id: null, destroyed_at: expect.any(Date) }]);
    } finally {
      await client.end();
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});

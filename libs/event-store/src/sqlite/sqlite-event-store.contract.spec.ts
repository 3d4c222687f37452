import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../contract';
import { SqliteEventStore } from './sqlite-event-store';

// The contract's assertions live in describeEventStoreContract; this file only supplies the store,
// opened exactly as the service opens it (durable: WAL with synchronous=FULL).
describeEventStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  expect(store.pragmas()).toMatchObject({ journalMode: 'wal', synchronous: 2 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../contract';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { HashChainedEventStore } from './hash-chained-event-store';

// The service writes through the hash chain: wrapped, the store keeps every promise of the port.
describeEventStoreContract('SQLite behind the hash chain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hash-chained-store-'));
  const store = new HashChainedEventStore(SqliteEventStore.open(join(dir, 'events.db')));
  return {
    store,
    cleanup: async () => {
      // Whatever a contract test appended, racing and retried appends included, chains intact.
      expect((await store.verifyChain()).problems).toEqual([]);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

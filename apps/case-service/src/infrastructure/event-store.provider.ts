import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { EVENT_STORE, HashChainedEventStore, SqliteEventStore } from '@cases/event-store';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [APP_CONFIG],
  // Every append is linked into its stream's hash chain (docs/decisions/0009-hash-chained-streams.md).
  useFactory: (config: AppConfig) => new HashChainedEventStore(SqliteEventStore.open(join(config.dataDir, 'events.db'))),
};

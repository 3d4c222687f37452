import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { EVENT_STORE, SqliteEventStore } from '@cases/event-store';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => SqliteEventStore.open(join(config.dataDir, 'events.db')),
};

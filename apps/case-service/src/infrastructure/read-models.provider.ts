import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ProjectionRunner, ReadModels, caseProjections } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export function createProjectionRunner(config: AppConfig, store: EventStore): ProjectionRunner {
  return new ProjectionRunner({ store, databaseFile: join(config.dataDir, 'read-models.db'), projections: caseProjections() });
}

/** The projections, fed from the log (started and stopped by the infrastructure module). */
export const readModelsProvider: Provider = {
  provide: ProjectionRunner,
  inject: [APP_CONFIG, EVENT_STORE],
  useFactory: createProjectionRunner,
};

/** The read models' query functions, each waiting for its own projection at most `READ_YOUR_WRITES_TIMEOUT_MS`. */
export const readModelQueriesProvider: Provider = {
  provide: ReadModels,
  inject: [ProjectionRunner, EVENT_STORE, APP_CONFIG],
  useFactory: (runner: ProjectionRunner, store: EventStore, config: AppConfig) =>
    new ReadModels(runner, store, { timeoutMs: config.readYourWritesTimeoutMs }),
};

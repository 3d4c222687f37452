import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ProjectionRunner, caseProjections } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export function createProjectionRunner(config: AppConfig, store: EventStore): ProjectionRunner {
  return new ProjectionRunner({ store, databaseFile: join(config.dataDir, 'read-models.db'), projections: caseProjections() });
}

export const readModelsProvider: Provider = {
  provide: ProjectionRunner,
  inject: [APP_CONFIG, EVENT_STORE],
  useFactory: createProjectionRunner,
};

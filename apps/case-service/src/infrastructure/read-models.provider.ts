import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { LocalLeaseProvider, PostgresLeaseProvider, type LeaseProvider } from '@cases/coordination';
import type { EventStore } from '@cases/event-store';
import { EVENT_STORE } from '@cases/event-store';
import { ProjectionRunner, ReadModels, caseProjections, prepareReadModelDatabase, type ReadModelLocation } from '@cases/read-models';
import { APP_CONFIG, ConfigError, redactUrl, type AppConfig } from '../config/app-config';
import { describeError } from './event-store.provider';
import { LEASE_RETRY_INTERVAL_MS } from './leases.provider';

/** Where READ_MODELS puts the read models: DATA_DIR/read-models.db, or the PostgreSQL database of DATABASE_URL. */
export function readModelLocation(config: AppConfig): ReadModelLocation {
  if (config.readModels === 'sqlite') return { sqlite: join(config.dataDir, 'read-models.db') };
  // loadConfig already refuses this; a config built by hand in a test may not have gone through it.
  if (config.databaseUrl === undefined) throw new ConfigError('DATABASE_URL', 'required with READ_MODELS=postgres');
  return { postgres: config.databaseUrl };
}

/** A failure to open or migrate the read models' database, as a `ConfigError` naming the setting to fix, in one line, without the password. */
function settingError(database: ReadModelLocation, error: unknown): ConfigError {
  if ('postgres' in database) {
    return new ConfigError(
      'DATABASE_URL',
      `PostgreSQL read models at ${redactUrl(database.postgres)} cannot be used: ${describeError(error)}`,
    );
  }
  return new ConfigError('DATA_DIR', `cannot open the read models ${database.sqlite}: ${describeError(error)}`);
}

/**
 * The leases of the projections and their rebuilds: advisory locks in the PostgreSQL database the
 * instances' read models share, so one instance follows the log for all; SQLite read models
 * belong to their one process, whose leases are always granted (docs/decisions/0011).
 */
export function readModelLeasesFor(database: ReadModelLocation): LeaseProvider {
  return 'postgres' in database ? new PostgresLeaseProvider({ url: database.postgres }) : new LocalLeaseProvider();
}

/** Opens the read models (migrating their database) for `store`. */
export async function createProjectionRunner(config: AppConfig, store: EventStore): Promise<ProjectionRunner> {
  const database = readModelLocation(config);
  try {
    return await ProjectionRunner.open({
      store,
      database,
      projections: caseProjections(),
      leases: readModelLeasesFor(database),
      leaseRetryIntervalMs: LEASE_RETRY_INTERVAL_MS,
    });
  } catch (error) {
    throw settingError(database, error);
  }
}

/**
 * Opens and migrates the read models' database before Nest's container starts, so a wrong or
 * unreachable READ_MODELS setting stops the start with one line naming it (see `checkEventStoreSettings`).
 */
export async function checkReadModelSettings(config: AppConfig): Promise<void> {
  const database = readModelLocation(config);
  try {
    await prepareReadModelDatabase(database);
  } catch (error) {
    throw settingError(database, error);
  }
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
